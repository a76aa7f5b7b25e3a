package lambdamcp

import (
	"context"
	"os"

	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// ReportConfigError tells Lambda that the function cannot start with its
// configuration, and why: the invocation waiting for it, `aws lambda
// invoke` and the INIT_REPORT line then show err's message, with the
// error type Runtime.ConfigInvalid, where Lambda would otherwise report
// only that the process exited. Call it in place of Start, then exit; name
// the setting in err, and never a secret's value. Off Lambda
// (AWS_LAMBDA_RUNTIME_API unset), and for a nil err, it does nothing and
// returns nil. Its error says the
// Runtime API could not be told (it waits up to 2 s).
func ReportConfigError(ctx context.Context, err error) error {
	api := os.Getenv("AWS_LAMBDA_RUNTIME_API")
	if api == "" || err == nil {
		return nil
	}
	return runtimeapi.ReportInitError(ctx, api, &runtimeapi.FunctionError{Type: runtimeapi.ErrorTypeConfigInvalid, Message: err.Error()})
}
