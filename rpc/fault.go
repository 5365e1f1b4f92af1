package rpc

import (
	"context"
	"errors"
	"fmt"

	"github.com/tcms/tcms/store"
)

// Fault codes, shared by both protocols (docs/errors.md).
const (
	CodeParse          = -32700
	CodeInvalidRequest = -32600
	CodeNoMethod       = -32601
	CodeInvalidParams  = -32602
	CodeInternal       = -32603
	CodeAuth           = -32098
)

// Fault is an error that goes over the wire as is: a JSON-RPC error object
// or an XML-RPC fault struct.
type Fault struct {
	Code    int
	Message string
}

func (f *Fault) Error() string { return f.Message }

func parseError(format string, args ...any) *Fault {
	return &Fault{CodeParse, "Parse error, unable to read the request: " + fmt.Sprintf(format, args...)}
}

func invalidRequest(format string, args ...any) *Fault {
	return &Fault{CodeInvalidRequest, "Invalid request: " + fmt.Sprintf(format, args...)}
}

func invalidParams(format string, args ...any) *Fault {
	return &Fault{CodeInvalidParams, "Invalid parameters: " + fmt.Sprintf(format, args...)}
}

func noMethod(name string) *Fault {
	return &Fault{CodeNoMethod, fmt.Sprintf("Method not found: %q", name)}
}

func authFailed(name, reason string) *Fault {
	return &Fault{CodeAuth, fmt.Sprintf("Authentication failed when calling %q: %s", name, reason)}
}

// tooManyCalls refuses a batch or multicall of more than most calls.
func tooManyCalls(what string, most, n int) *Fault {
	return invalidRequest("%s may hold at most %d calls; this one has %d", what, most, n)
}

// atCall says where in a batch of n a fault for the whole reply struck:
// at the i-th call (from 0), after that call ran and before the rest did.
func atCall(f *Fault, i, n int) *Fault {
	return &Fault{f.Code, fmt.Sprintf("%s (at call %d of %d: calls 1 to %d ran, the rest did not)", f.Message, i+1, n, i+1)}
}

// toFault maps any handler error to the fault the caller sees. Errors of
// kind Internal (anything unexpected) are logged in full and hidden. A
// caller that went away is told so, whatever its statement failed with.
func (s *Server) toFault(ctx context.Context, method string, err error) *Fault {
	var f *Fault
	switch {
	case errors.As(err, &f):
		return f
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		return &Fault{CodeInternal, "Internal error: request cancelled"}
	case errors.Is(err, store.ErrQueryTimeout) && s.store.StatementTimeout() > 0:
		return &Fault{CodeInternal, fmt.Sprintf("Internal error: the query took longer than %s and was cancelled", s.store.StatementTimeout())}
	case store.ErrorKind(err) != store.Internal:
		return &Fault{CodeInternal, "Internal error: " + err.Error()}
	}
	s.log.ErrorContext(ctx, "internal error", "method", method, "err", err)
	return &Fault{CodeInternal, "Internal error: internal error"}
}
