package rpc

import (
	"net/http"

	"github.com/tcms/tcms/rpc/internal/dispatch"
	"github.com/tcms/tcms/rpc/internal/wire"
	"github.com/tcms/tcms/store"
)

// What a namespace file declares its methods with and answers through;
// the registry, the check point and the codecs behind these names live in
// rpc/internal.

// Method declares one RPC method: its wire name, who may call it, and its
// documentation (see dispatch.Method).
type Method = dispatch.Method

// Who may call a method.
const (
	Anonymous = dispatch.Anonymous // no login needed
	Login     = dispatch.Login     // any active user
	Perms     = dispatch.Perms     // an active user holding every label in Method.Perms
)

// NoArgs is the args type of methods that take no parameters.
type NoArgs = dispatch.NoArgs

// Fault codes, shared by both protocols (docs/errors.md).
const (
	CodeParse          = wire.CodeParse
	CodeInvalidRequest = wire.CodeInvalidRequest
	CodeNoMethod       = wire.CodeNoMethod
	CodeInvalidParams  = wire.CodeInvalidParams
	CodeInternal       = wire.CodeInternal
	CodeAuth           = wire.CodeAuth
)

// The faults handlers answer with besides the store's errors.
var (
	invalidParams = wire.InvalidParams // parameters the method cannot take
	authFailed    = wire.AuthFailed    // a caller the method refuses
)

// caller is who makes the call: nil only in an Anonymous method.
func caller(r *http.Request) *store.Principal { return dispatch.StateOf(r).Who }
