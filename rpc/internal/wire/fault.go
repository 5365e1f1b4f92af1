// Package wire is the XML-RPC and JSON-RPC codecs: it reads request bodies
// into wire values, binds them to a handler's args struct, and writes
// results and faults into a bounded reply. It knows nothing of methods,
// callers or the store.
package wire

import (
	"fmt"
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

// ParseError is the fault for a request body that cannot be read.
func ParseError(format string, args ...any) *Fault {
	return &Fault{CodeParse, "Parse error, unable to read the request: " + fmt.Sprintf(format, args...)}
}

// InvalidRequest is the fault for a readable request that is no call.
func InvalidRequest(format string, args ...any) *Fault {
	return &Fault{CodeInvalidRequest, "Invalid request: " + fmt.Sprintf(format, args...)}
}

// InvalidParams is the fault for parameters a method cannot take.
func InvalidParams(format string, args ...any) *Fault {
	return &Fault{CodeInvalidParams, "Invalid parameters: " + fmt.Sprintf(format, args...)}
}

// NoMethod is the fault for a method name nothing answers.
func NoMethod(name string) *Fault {
	return &Fault{CodeNoMethod, fmt.Sprintf("Method not found: %q", name)}
}

// AuthFailed is the fault for a caller who may not call the method.
func AuthFailed(name, reason string) *Fault {
	return &Fault{CodeAuth, fmt.Sprintf("Authentication failed when calling %q: %s", name, reason)}
}

// TooManyCalls refuses a batch or multicall of more than most calls.
func TooManyCalls(what string, most, n int) *Fault {
	return InvalidRequest("%s may hold at most %d calls; this one has %d", what, most, n)
}

// AtCall says where in a batch of n a fault for the whole reply struck:
// at the i-th call (from 0), after that call ran and before the rest did.
func AtCall(f *Fault, i, n int) *Fault {
	return &Fault{f.Code, fmt.Sprintf("%s (at call %d of %d: calls 1 to %d ran, the rest did not)", f.Message, i+1, n, i+1)}
}

// Truncate shortens text from a caller, for a fault message or a log line.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
