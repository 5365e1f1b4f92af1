package dispatch

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/tcms/tcms/rpc/internal/wire"
	"github.com/tcms/tcms/store"
)

// Access says who may call a method.
type Access int

const (
	// Anonymous methods need no login (Auth.login, system.*).
	Anonymous Access = iota
	// Login methods need an active user.
	Login
	// Perms methods need an active user holding every label in Method.Perms.
	Perms
)

func (a Access) String() string {
	switch a {
	case Anonymous:
		return "anonymous"
	case Login:
		return "login"
	}
	return "permissions"
}

// Method declares one RPC method: its wire name, who may call it, and its
// documentation. Every handler has exactly one declaration, next to it in
// its namespace file; the registry is the only way a method becomes
// callable.
type Method struct {
	Name   string   // wire name, e.g. "TestRun.add_case"
	Access Access   // who may call it
	Perms  []string // with Access Perms: labels the caller needs, all of them
	Getter bool     // single-record getter: object-level grants apply
	// Global methods change shared identity (accounts, shared groups,
	// direct grants): wherever they are called they run at the public
	// tenant, and only labels held globally (direct grants, shared groups)
	// count for them, never those of a tenant's groups.
	Global  bool
	Returns string // XML-RPC type of the result, for system.methodSignature
	Doc     string // one line for system.methodHelp and docs/api.md

	goName string      // "TestRun.AddCase", the gorilla/rpc name
	args   *wire.Shape // positional parameters, from the handler's args type
}

// Service is one namespace: the receiver whose methods gorilla/rpc
// dispatches to, and their declarations.
type Service struct {
	Name     string
	Receiver any
	Methods  []Method
}

// registry maps wire names to declarations.
type registry map[string]*Method

// checkGetter makes sure a getter can be checked against object grants:
// one label that grants on its namespace's records can hold, and a
// required integer id as the first parameter.
func checkGetter(m *Method, shape *wire.Shape, args reflect.Type) error {
	objectType, _, _ := strings.Cut(m.Name, ".")
	if len(m.Perms) != 1 || !slices.Contains(store.ObjectLabels(objectType), m.Perms[0]) {
		return fmt.Errorf("a getter needs one label of %q that object grants hold", objectType)
	}
	if len(shape.Fields) == 0 || shape.Fields[0].Optional || !slices.Contains([]reflect.Kind{reflect.Int, reflect.Int32, reflect.Int64}, args.Field(shape.Fields[0].Index).Type.Kind()) {
		return fmt.Errorf("a getter's first parameter must be a required integer id")
	}
	return nil
}

// goMethodName turns a wire method name into the Go method gorilla/rpc
// calls: "add_case" -> "AddCase", "listMethods" -> "ListMethods".
func goMethodName(wire string) string {
	var b strings.Builder
	for _, part := range strings.Split(wire, "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

var requestType = reflect.TypeOf((*http.Request)(nil))

// add registers a service's declarations, checking them against the Go
// methods of its receiver in both directions: a declaration without a
// handler, or a handler without a declaration, is a programming error.
func (reg registry) add(svc Service) error {
	rt := reflect.TypeOf(svc.Receiver)
	declared := map[string]bool{}
	for i := range svc.Methods {
		m := svc.Methods[i]
		ns, short, ok := strings.Cut(m.Name, ".")
		if !ok || ns != svc.Name {
			return fmt.Errorf("rpc: method %q is not in namespace %q", m.Name, svc.Name)
		}
		gm, ok := rt.MethodByName(goMethodName(short))
		if !ok || gm.Type.NumIn() != 4 || gm.Type.In(1) != requestType {
			return fmt.Errorf("rpc: %s has no handler %s", m.Name, goMethodName(short))
		}
		shape, err := wire.ShapeOf(gm.Type.In(2).Elem())
		if err != nil {
			return fmt.Errorf("rpc: %s: %w", m.Name, err)
		}
		if (m.Access == Perms) != (len(m.Perms) > 0) {
			return fmt.Errorf("rpc: %s: Access Perms goes with a non-empty Perms list", m.Name)
		}
		for _, l := range m.Perms {
			if !store.KnownPermission(l) {
				return fmt.Errorf("rpc: %s: unknown permission %q", m.Name, l)
			}
		}
		if m.Getter {
			if err := checkGetter(&m, shape, gm.Type.In(2).Elem()); err != nil {
				return fmt.Errorf("rpc: %s: %w", m.Name, err)
			}
		}
		m.goName = svc.Name + "." + gm.Name
		m.args = shape
		if _, dup := reg[m.Name]; dup {
			return fmt.Errorf("rpc: %s declared twice", m.Name)
		}
		reg[m.Name] = &m
		declared[gm.Name] = true
	}
	for i := 0; i < rt.NumMethod(); i++ {
		gm := rt.Method(i)
		if gm.Type.NumIn() == 4 && gm.Type.In(1) == requestType && !declared[gm.Name] {
			return fmt.Errorf("rpc: handler %s.%s has no declaration", svc.Name, gm.Name)
		}
	}
	return nil
}

// names returns every wire name, sorted.
func (reg registry) names() []string {
	out := make([]string, 0, len(reg))
	for name := range reg {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// signature is the method's "name(param: type, ...)" line for humans.
func (m *Method) signature() string {
	parts := make([]string, len(m.args.Fields))
	for i, f := range m.args.Fields {
		parts[i] = f.Name + ": " + f.WireType
		if f.Optional {
			parts[i] += " (optional)"
		}
	}
	return m.Name + "(" + strings.Join(parts, ", ") + ") -> " + m.Returns
}

// accessText says who may call the method, for documentation.
func (m *Method) accessText() string {
	scope := ""
	if m.Global {
		scope = " (held globally; see docs/permissions.md)"
	}
	switch {
	case m.Getter:
		return m.Perms[0] + ", or an object grant of it on the record (see docs/permissions.md)"
	case m.Access == Perms:
		return strings.Join(m.Perms, ", ") + scope
	}
	return m.Access.String() + scope
}

// scope returns the context a method's labels are checked and its handler
// runs in: the public tenant's for a Global method, else the request's.
func (m *Method) scope(ctx context.Context) context.Context {
	if m.Global {
		return store.WithTenant(ctx, "")
	}
	return ctx
}
