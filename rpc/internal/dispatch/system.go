package dispatch

import (
	"net/http"

	"github.com/tcms/tcms/rpc/internal/wire"
)

// System holds the introspection methods and system.multicall.
type System struct{ d *Dispatcher }

// system is the system namespace's service.
func (d *Dispatcher) system() Service { return Service{"system", &System{d}, systemMethods} }

var systemMethods = []Method{
	{Name: "system.listMethods", Access: Anonymous, Returns: "array",
		Doc: "Lists the name of every method this server answers."},
	{Name: "system.methodHelp", Access: Anonymous, Returns: "string",
		Doc: "Describes a method: its parameters, who may call it and what it does."},
	{Name: "system.methodSignature", Access: Anonymous, Returns: "array",
		Doc: `Gives a method's signature as [[return type, parameter types...]], or "undef" for an unknown method.`},
	{Name: "system.multicall", Access: Anonymous, Returns: "array",
		Doc: "XML-RPC only: runs several calls ({methodName, params}) in order; each answers [result] or a fault struct."},
}

// NoArgs is the args type of methods that take no parameters.
type NoArgs struct{}

// MethodNameArgs names one method.
type MethodNameArgs struct {
	MethodName string `json:"method_name"`
}

// ListMethods answers system.listMethods.
func (x *System) ListMethods(_ *http.Request, _ *NoArgs, reply *[]string) error {
	*reply = x.d.methods.names()
	return nil
}

// MethodHelp answers system.methodHelp.
func (x *System) MethodHelp(_ *http.Request, args *MethodNameArgs, reply *string) error {
	m := x.d.methods[args.MethodName]
	if m == nil {
		return wire.NoMethod(args.MethodName)
	}
	*reply = m.signature() + "\n\n" + m.Doc + "\n\nAccess: " + m.accessText()
	return nil
}

// MethodSignature answers system.methodSignature.
func (x *System) MethodSignature(_ *http.Request, args *MethodNameArgs, reply *any) error {
	m := x.d.methods[args.MethodName]
	if m == nil {
		*reply = "undef"
		return nil
	}
	sig := []string{m.Returns}
	for _, f := range m.args.Fields {
		sig = append(sig, f.WireType)
	}
	*reply = [][]string{sig}
	return nil
}

// MulticallArgs is the list of calls of system.multicall.
type MulticallArgs struct {
	Calls []any `json:"calls"`
}

// Multicall answers system.multicall: each call is dispatched on its own,
// through the same permission check, in its own transaction, and its
// result is encoded into the request's reply as soon as it is known, so
// that no result outlives its encoding. At most Config.MaxBatch calls,
// refused before any runs.
func (x *System) Multicall(r *http.Request, args *MulticallArgs, _ *[]any) error {
	self := r.Context().Value(callKey{}).(*call)
	if !self.xml {
		return wire.NoMethod("system.multicall")
	}
	if len(args.Calls) > x.d.cfg.MaxBatch {
		return wire.TooManyCalls("system.multicall", x.d.cfg.MaxBatch, len(args.Calls))
	}
	out := StateOf(r).reply
	enc := wire.NewEncoder(out, true, x.d.cfg.EscapeHTML)
	out.WriteString("<value><array><data>")
	for i, item := range args.Calls {
		c := &call{xml: true}
		spec, ok := item.(map[string]any)
		name, _ := spec["methodName"].(string)
		params, okParams := spec["params"].([]any)
		switch {
		case !ok || name == "":
			c.err = wire.InvalidRequest("each call needs a methodName")
		case spec["params"] != nil && !okParams:
			c.err = wire.InvalidParams("params of %s must be an array", name)
		case name == "system.multicall":
			c.err = wire.InvalidRequest("system.multicall cannot be nested")
		default:
			c.name, c.params = name, params
			x.d.dispatch(r, c)
		}
		if f, isFault := c.err.(*wire.Fault); isFault {
			enc.Encode(wire.FaultStruct{Code: f.Code, String: f.Message})
		} else {
			enc.Encode([]any{c.reply})
		}
		if f := out.Err(); f != nil {
			return wire.AtCall(f, i, len(args.Calls))
		}
	}
	out.WriteString("</data></array></value>")
	self.written = true
	return nil
}
