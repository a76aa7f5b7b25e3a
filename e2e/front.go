package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"

	"github.com/lambdamcp/lambdamcp/internal/localfront"
)

// frontOptions describes a function behind the local front.
type frontOptions struct {
	shape      string
	pkg        string   // the function's Go package, built as a bootstrap
	env        []string // the function's environment
	authorizer string   // the authorizer's Go package, if any
	authEnv    []string // the authorizer's environment
	logName    string   // base name of the log file under logs/
	stream     bool     // response streaming (url or rest shape)
	// deploy makes a rest front answer as deploy/'s rest variant does.
	deploy *localfront.DeployREST
	// jwtAuthorizer puts an http front's routes behind the HTTP API's
	// own JWT authorizer, as deploy/'s http variant with JWTs has them.
	jwtAuthorizer *localfront.JWTAuthorizer
	// deployHTTP adds the CORS configuration of deploy/'s HTTP API to
	// such a front.
	deployHTTP *localfront.DeployHTTP
	// listener, when set, is where the front serves: opened first by a
	// caller that gives the function the front's URL.
	listener net.Listener
}

// restStage is the stage of the front's REST APIs, its default.
const restStage = "dev"

// startFront builds the function (and authorizer) as real Lambda bootstraps
// and serves them behind the local front in the given shape. It returns the
// front's base URL (with the stage for rest) and a function that stops it all.
func startFront(ctx context.Context, b *builder, o frontOptions) (string, func(), error) {
	fnBin, err := b.build(ctx, o.pkg, true)
	if err != nil {
		return "", nil, err
	}
	logf, err := createFile(filepath.Join(b.outDir, "logs", o.logName+".log"))
	if err != nil {
		return "", nil, err
	}
	logger := slog.New(slog.NewJSONHandler(logf, nil))
	// Several execution environments, as Lambda would scale out for the
	// suite's concurrent requests.
	fn, err := localfront.NewProcess(fnBin, &localfront.FunctionConfig{
		Name: filepath.Base(filepath.Dir(fnBin)), Env: o.env, Concurrency: 4, Output: logf, Logger: logger,
	})
	if err != nil {
		logf.Close()
		return "", nil, fmt.Errorf("starting the function: %w", err)
	}
	cfg := localfront.Config{Shape: localfront.Shape(o.shape), Function: fn, Logger: logger, Stream: o.stream, Listener: o.listener, Deploy: o.deploy, JWTAuthorizer: o.jwtAuthorizer, DeployHTTP: o.deployHTTP}
	if o.authorizer != "" {
		if o.deploy != nil || o.deployHTTP != nil {
			// The stack caches its Lambda authorizers' answers, and so
			// does the front that answers as it does.
			cfg.AuthorizerCacheTTL = localfront.DeployAuthorizerCacheTTL
		}
		authBin, err := b.build(ctx, o.authorizer, true)
		if err != nil {
			fn.Close()
			logf.Close()
			return "", nil, err
		}
		if cfg.Authorizer, err = localfront.NewProcess(authBin, &localfront.FunctionConfig{
			Name: "authorizer", Env: o.authEnv, Output: logf, Logger: logger,
		}); err != nil {
			fn.Close()
			logf.Close()
			return "", nil, fmt.Errorf("starting the authorizer: %w", err)
		}
	}
	front, err := localfront.Start(ctx, cfg)
	if err != nil {
		fn.Close()
		if cfg.Authorizer != nil {
			cfg.Authorizer.Close()
		}
		logf.Close()
		return "", nil, err
	}
	stop := func() {
		front.Close()
		logf.Close()
	}
	return front.URL(), stop, nil
}
