// Command mrtr serves the mrtr example: tools that ask the client for input
// (elicitation, sampling, roots) with the 2026-07-28 input-required flow.
//
// MCP_REQUEST_STATE_KEY is the base64 (standard encoding) of the 32-byte
// AES-256 key that seals requestState; every instance of the function must
// share it. Unset, a random key is made: state then only survives within one
// execution environment, so set it on Lambda.
//
// On Lambda (AWS_LAMBDA_RUNTIME_API set) it serves invocations, streaming the
// shapes named in MCP_STREAM (url, rest); elsewhere it listens on MCP_ADDR
// (default 127.0.0.1:8080) at /mcp.
package main

import (
	"crypto/rand"
	"encoding/base64"
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/examples/mrtr"
)

func main() {
	key := make([]byte, mrtr.KeySize)
	if k := os.Getenv("MCP_REQUEST_STATE_KEY"); k != "" {
		var err error
		if key, err = base64.StdEncoding.DecodeString(k); err != nil {
			log.Fatalf("MCP_REQUEST_STATE_KEY is not base64: %v", err)
		}
	} else {
		rand.Read(key)
		log.Print("MCP_REQUEST_STATE_KEY is not set: requestState is sealed with a key of this process only")
	}
	sealer, err := mrtr.NewSealer(key)
	if err != nil {
		log.Fatalf("MCP_REQUEST_STATE_KEY: %v", err)
	}
	h := mrtr.Handler(mrtr.New(sealer))
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		var stream []lambdamcp.Shape
		for s := range strings.SplitSeq(os.Getenv("MCP_STREAM"), ",") {
			if s = strings.TrimSpace(s); s != "" {
				stream = append(stream, lambdamcp.Shape(s))
			}
		}
		lambdamcp.Start(h, &lambdamcp.Options{Stream: stream})
		return
	}
	addr := os.Getenv("MCP_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", h)
	log.Printf("serving http://%s/mcp", addr)
	log.Fatal(http.ListenAndServe(addr, mux))
}
