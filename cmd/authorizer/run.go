package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/internal/cmdline"
	"github.com/lambdamcp/lambdamcp/internal/failurelog"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

const usage = "usage: authorizer [-hash-token]   (on Lambda: the API Gateway authorizer; elsewhere: -hash-token < token)"

// run is the testable part of main. start hands the handler to the Lambda
// runtime (lambda.Start in main) and does not return in production.
func run(ctx context.Context, args []string, getenv func(string) string, environ func() []string, stdin io.Reader, stdout, stderr io.Writer, start func(any)) int {
	fs := flag.NewFlagSet("authorizer", flag.ContinueOnError)
	hashToken := fs.Bool("hash-token", false, "read a token from stdin and print its SHA-256 hash for MCP_AUTH_TOKEN_SHA256")
	if code, ok := cmdline.Parse(fs, args, stderr, usage); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return cmdline.UsageError(stderr, "authorizer", usage, cmdline.Unexpected(fs.Args()))
	}
	if *hashToken {
		hash, err := hashFrom(stdin)
		if err != nil {
			fmt.Fprintln(stderr, "authorizer:", err)
			return 1
		}
		fmt.Fprintln(stdout, hash)
		return 0
	}
	if getenv("AWS_LAMBDA_RUNTIME_API") == "" {
		fmt.Fprintln(stderr, "authorizer: not running in AWS Lambda (AWS_LAMBDA_RUNTIME_API is unset); use -hash-token to hash a token")
		return 2
	}
	// JSON lines on stdout like the server's, each with the Lambda request id.
	logger := slog.New(lambdamcp.NewLogHandler(slog.NewJSONHandler(stdout, nil)))
	for _, v := range auth.UnreadVars(environ()) {
		logger.Warn(v.String())
	}
	a, err := newAuthorizer(getenv, logger)
	if err != nil {
		logger.Error("configuration", "error", err.Error())
		// Lambda then fails the waiting invocation with this message, not
		// with the bare exit of the process.
		fe := &runtimeapi.FunctionError{Type: runtimeapi.ErrorTypeConfigInvalid, Message: err.Error()}
		if err := runtimeapi.ReportInitError(ctx, getenv("AWS_LAMBDA_RUNTIME_API"), fe); err != nil {
			logger.Warn(err.Error())
		}
		return 1
	}
	// The Lambda runtime prints a line through the log package for each
	// invocation that fails, which is every refused token, without its
	// request id: failurelog logs the failure with it, and the log handler
	// leaves the runtime's line out.
	slog.SetDefault(logger)
	start(failurelog.Handler(a, failurelog.Logger{Logger: logger, Level: failureLevel}))
	return 0
}

// failureLevel is the level of the line for an invocation that fails: a
// refused token is routine, as API Gateway's contract for a 401 is a
// failed invocation; anything else (an event no authorizer reads, a token
// that could not be checked) is an error.
func failureLevel(err error) slog.Level {
	if errors.Is(err, auth.ErrUnauthorized) {
		return slog.LevelInfo
	}
	return slog.LevelError
}

// newAuthorizer builds the authorizer the environment describes.
func newAuthorizer(getenv func(string) string, logger *slog.Logger) (*auth.Authorizer, error) {
	cfg, err := auth.ConfigFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	if cfg.FromAuthorizer {
		return nil, fmt.Errorf("%s is for the MCP server behind this authorizer, not for the authorizer", auth.EnvFromAuthorizer)
	}
	if !cfg.Enabled() {
		return nil, fmt.Errorf("no authentication configured: set %s and/or %s and %s (%s too, unless the issuer's discovery document names its keys)",
			auth.EnvTokenSHA256, auth.EnvJWTIssuer, auth.EnvJWTAudience, auth.EnvJWTJWKSURL)
	}
	// A variable set but wrong (a hash that is none, a JWKS URL over
	// plain http) is named in err: it needs mending, not setting.
	v, err := cfg.Verifier(logger)
	if err != nil {
		return nil, err
	}
	return auth.NewAuthorizer(v, cfg.AuthorizerOptions(logger)), nil
}

// hashFrom reads one token (the first line, trimmed) and returns its hash.
func hashFrom(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, auth.MaxTokenBytes+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading token: %w", err)
	}
	if len(line) > auth.MaxTokenBytes+1 {
		return "", fmt.Errorf("token longer than %d bytes", auth.MaxTokenBytes)
	}
	token := strings.TrimSpace(line)
	if token == "" {
		return "", errors.New("no token on stdin")
	}
	if len(token) < 16 {
		return "", errors.New("token shorter than 16 characters; use a random one, e.g. openssl rand -base64 32")
	}
	// Clients send it as "Authorization: Bearer …", where the entry points
	// refuse a token with a space inside or a header over their limit: the
	// hash of such a token would be configured for nothing.
	if _, err := auth.BearerToken("Bearer " + token); err != nil {
		why := strings.TrimPrefix(err.Error(), auth.ErrInvalidToken.Error()+": ")
		return "", fmt.Errorf("token cannot be sent as a bearer token (%s); use a random one, e.g. openssl rand -base64 32", why)
	}
	// RFC 6750 section 2.1 has a bearer token be a b64token, and the deploy
	// stack's REST API holds the header to it, answering 401 itself,
	// without calling the authorizer, for any other token.
	if !isB64Token(token) {
		return "", errors.New("token is not an RFC 6750 b64token (letters, digits, - . _ ~ + /, then = padding only at the end), so API Gateway may refuse it before the authorizer sees it; use a random one, e.g. openssl rand -base64 32")
	}
	return auth.HashToken(token), nil
}

// isB64Token reports whether token is a b64token (RFC 6750 section 2.1):
// 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func isB64Token(token string) bool {
	body := strings.TrimRight(token, "=")
	if body == "" {
		return false
	}
	for _, c := range []byte(body) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-._~+/", c) >= 0:
		default:
			return false
		}
	}
	return true
}
