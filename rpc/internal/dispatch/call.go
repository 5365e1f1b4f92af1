package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	gorpc "github.com/gorilla/rpc/v2"

	"github.com/tcms/tcms/rpc/internal/session"
	"github.com/tcms/tcms/rpc/internal/wire"
	"github.com/tcms/tcms/store"
)

// call is one method call on its way through gorilla/rpc: the protocols
// decode it, dispatch runs it, and it doubles as the gorilla CodecRequest
// that captures the outcome instead of writing it.
type call struct {
	name   string
	params []any
	named  map[string]any // JSON-RPC keyword parameters
	xml    bool

	d      *Dispatcher
	ctx    context.Context
	who    *store.Principal
	why    string // see State
	method *Method
	// objectCheck: a getter's caller lacks the unbound label, so an object
	// grant on the requested record must decide (ReadRequest).
	objectCheck bool
	reply       any
	written     bool // the method wrote its result into the request's reply itself (system.multicall)
	err         error
}

type callKey struct{}

// callCodec hands gorilla/rpc the call dispatch put in the context.
type callCodec struct{}

func (callCodec) NewRequest(r *http.Request) gorpc.CodecRequest {
	return r.Context().Value(callKey{}).(*call)
}

// Method resolves the wire name and is the single permission check point:
// nothing is decoded or run for a caller who may not call the method. The
// tenant's admission comes first (Admit).
func (c *call) Method() (string, error) {
	m := c.d.methods[c.name]
	if m == nil {
		return "", wire.NoMethod(c.name)
	}
	c.method = m
	reader, err := c.d.Admit(c.ctx, c.who, m)
	if err != nil {
		return "", err
	}
	if reader {
		return m.goName, nil
	}
	check, err := c.d.authorize(m.scope(c.ctx), c.who, c.why, m)
	if err != nil {
		return "", err
	}
	c.objectCheck = check
	return m.goName, nil
}

// ReadRequest binds the parameters and, for a getter whose caller lacks
// the unbound label, finishes the permission check on the record asked for.
func (c *call) ReadRequest(args any) error {
	if err := c.method.args.Bind(args, c.params, c.named); err != nil {
		return err
	}
	if c.objectCheck {
		return c.d.authorizeObject(c, args)
	}
	return nil
}

func (c *call) WriteResponse(_ http.ResponseWriter, reply any) { c.reply = reply }

func (c *call) WriteError(_ http.ResponseWriter, _ int, err error) { c.err = err }

// restrictedKeys are refused in query dicts, as Kiwi refuses them, so
// that no filter can probe secrets.
var restrictedKeys = []string{"password", "token", "secret", "activation_key", "api_key", "apikey"}

// restricted reports whether a call passes a secret-looking key in a dict
// argument to a method other than create/update.
func (c *call) restricted() bool {
	if strings.HasSuffix(c.name, ".create") || strings.HasSuffix(c.name, ".update") {
		return false
	}
	check := func(keys map[string]any) bool {
		for k := range keys {
			lk := strings.ToLower(k)
			for _, r := range restrictedKeys {
				if strings.Contains(lk, r) {
					return true
				}
			}
		}
		return false
	}
	for _, p := range c.params {
		if m, ok := p.(map[string]any); ok && check(m) {
			return true
		}
	}
	return check(c.named)
}

// dispatch runs one call and records its outcome in it: c.reply, or c.err
// as a *wire.Fault.
func (d *Dispatcher) dispatch(r *http.Request, c *call) {
	start := time.Now()
	st := StateOf(r)
	c.d, c.ctx, c.who, c.why = d, r.Context(), st.Who, st.why
	switch {
	case st.err != nil:
		c.err = st.err
	case r.Context().Err() != nil: // the client is gone: run nothing more
		c.err = r.Context().Err()
	case c.restricted():
		c.err = wire.InvalidRequest("Unsupported field")
	default:
		ctx := withActor(r)
		if m := d.methods[c.name]; m != nil {
			ctx = m.scope(ctx)
		}
		d.invoke(st.W, r.WithContext(context.WithValue(ctx, callKey{}, c)), c)
	}
	code := 0
	if c.err != nil {
		f := d.toFault(r.Context(), c.name, c.err)
		c.err, code = f, f.Code
	}
	d.observe(r.Context(), c, code, time.Since(start))
}

// withActor returns the request's context carrying the caller, for the
// audit log ("(anonymous)" without a login), and its client address.
func withActor(r *http.Request) context.Context {
	who := store.Principal{Username: "(anonymous)"}
	if p := StateOf(r).Who; p != nil {
		who = *p
	}
	return store.WithActor(store.WithClientAddress(r.Context(), session.ClientAddress(r)), who)
}

// invoke runs the call through gorilla/rpc. A panicking handler becomes an
// internal error for its caller, not a dropped connection.
func (d *Dispatcher) invoke(w http.ResponseWriter, r *http.Request, c *call) {
	defer func() {
		if p := recover(); p != nil {
			c.err = fmt.Errorf("panic in %s: %v\n%s", c.name, p, debug.Stack())
		}
	}()
	d.gorilla.ServeHTTP(w, r)
	if c.err == nil && c.method == nil {
		c.err = errors.New("gorilla/rpc refused the call")
	}
}

// toFault maps any handler error to the fault the caller sees. Errors of
// kind Internal (anything unexpected) are logged in full and hidden. A
// caller that went away is told so, whatever its statement failed with.
func (d *Dispatcher) toFault(ctx context.Context, method string, err error) *wire.Fault {
	var f *wire.Fault
	switch {
	case errors.As(err, &f):
		return f
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		return &wire.Fault{Code: wire.CodeInternal, Message: "Internal error: request cancelled"}
	case errors.Is(err, store.ErrQueryTimeout) && d.store.StatementTimeout() > 0:
		return &wire.Fault{Code: wire.CodeInternal, Message: fmt.Sprintf("Internal error: the query took longer than %s and was cancelled", d.store.StatementTimeout())}
	case store.ErrorKind(err) != store.Internal:
		return &wire.Fault{Code: wire.CodeInternal, Message: "Internal error: " + err.Error()}
	}
	d.log.ErrorContext(ctx, "internal error", "method", method, "err", err)
	return &wire.Fault{Code: wire.CodeInternal, Message: "Internal error: internal error"}
}

func (d *Dispatcher) observe(ctx context.Context, c *call, code int, dur time.Duration) {
	name := wire.Truncate(c.name, 100)
	user := ""
	if c.who != nil {
		user = c.who.Username
	}
	d.metrics.Observe(name, code, dur)
	d.log.LogAttrs(ctx, slog.LevelInfo, "rpc",
		slog.String("method", name),
		slog.String("user", user),
		slog.String("tenant", store.TenantOf(ctx)),
		slog.Float64("ms", float64(dur.Microseconds())/1000),
		slog.Int("code", code))
}
