package rpc

import (
	"net/http"
)

// System holds the introspection methods and system.multicall.
type System struct{ s *Server }

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
	*reply = x.s.methods.names()
	return nil
}

// MethodHelp answers system.methodHelp.
func (x *System) MethodHelp(_ *http.Request, args *MethodNameArgs, reply *string) error {
	m := x.s.methods[args.MethodName]
	if m == nil {
		return noMethod(args.MethodName)
	}
	*reply = m.signature() + "\n\n" + m.Doc + "\n\nAccess: " + m.accessText()
	return nil
}

// MethodSignature answers system.methodSignature.
func (x *System) MethodSignature(_ *http.Request, args *MethodNameArgs, reply *any) error {
	m := x.s.methods[args.MethodName]
	if m == nil {
		*reply = "undef"
		return nil
	}
	sig := []string{m.Returns}
	for _, f := range m.args.fields {
		sig = append(sig, f.wireType)
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
		return noMethod("system.multicall")
	}
	if len(args.Calls) > x.s.cfg.MaxBatch {
		return tooManyCalls("system.multicall", x.s.cfg.MaxBatch, len(args.Calls))
	}
	out := stateOf(r).reply
	enc := encoder{buf: out, xml: true, escape: x.s.cfg.EscapeHTML}
	out.WriteString("<value><array><data>")
	for i, item := range args.Calls {
		c := &call{xml: true}
		spec, ok := item.(map[string]any)
		name, _ := spec["methodName"].(string)
		params, okParams := spec["params"].([]any)
		switch {
		case !ok || name == "":
			c.err = invalidRequest("each call needs a methodName")
		case spec["params"] != nil && !okParams:
			c.err = invalidParams("params of %s must be an array", name)
		case name == "system.multicall":
			c.err = invalidRequest("system.multicall cannot be nested")
		default:
			c.name, c.params = name, params
			x.s.dispatch(r, c)
		}
		if f, isFault := c.err.(*Fault); isFault {
			enc.encode(faultStruct{f.Code, f.Message})
		} else {
			enc.encode([]any{c.reply})
		}
		if f := out.err(); f != nil {
			return atCall(f, i, len(args.Calls))
		}
	}
	out.WriteString("</data></array></value>")
	self.written = true
	return nil
}
