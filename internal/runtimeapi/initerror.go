package runtimeapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// ErrorTypeConfigInvalid is the error type a function reports when its
// configuration keeps it from starting (one of the Runtime API's examples).
const ErrorTypeConfigInvalid = "Runtime.ConfigInvalid"

// ReportInitError tells Lambda, through the Runtime API at api (the value
// of AWS_LAMBDA_RUNTIME_API), that the function cannot start, and why.
// Lambda then answers the waiting invocation with this error rather than
// with the bare Runtime.ExitError of a process that ended, and logs it in
// the INIT_REPORT line. The runtime exits afterwards.
func ReportInitError(ctx context.Context, api string, fe *FunctionError) error {
	body, err := json.Marshal(fe)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+api+apiPrefix+"init/error", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("reporting the init error: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderFunctionErrorType, fe.Type)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("reporting the init error: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("reporting the init error: the Runtime API answered %s", resp.Status)
	}
	return nil
}
