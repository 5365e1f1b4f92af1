// Package dispatch runs RPC calls: the XML-RPC and JSON-RPC endpoints, the
// method registry with its permission check point, and the system
// namespace. The namespaces themselves are handed to New as services.
package dispatch

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"

	gorpc "github.com/gorilla/rpc/v2"

	"github.com/tcms/tcms/rpc/internal/ops"
	"github.com/tcms/tcms/rpc/internal/session"
	"github.com/tcms/tcms/rpc/internal/tenancy"
	"github.com/tcms/tcms/rpc/internal/wire"
	"github.com/tcms/tcms/store"
)

// Config is what the dispatcher needs; every limit must be set.
type Config struct {
	Store            *store.Store
	Sessions         *session.Manager
	Log              *slog.Logger
	EscapeHTML       bool  // HTML-escape returned strings, as Kiwi TCMS does
	MaxBodyBytes     int64 // request body limit
	MaxBatch         int   // calls in one JSON-RPC batch or system.multicall
	MaxResponseBytes int64 // bytes in one reply
	ReplyMemory      int64 // bytes all replies being built or sent may hold together
}

// Dispatcher serves both RPC protocols over one set of registered methods.
type Dispatcher struct {
	cfg      Config
	store    *store.Store
	log      *slog.Logger
	methods  registry
	gorilla  *gorpc.Server
	metrics  *ops.Metrics
	replyMem *wire.ReplyMemory
}

// New registers the services and the system namespace.
func New(cfg Config, services []Service) (*Dispatcher, error) {
	d := &Dispatcher{
		cfg:      cfg,
		store:    cfg.Store,
		log:      cfg.Log,
		methods:  registry{},
		gorilla:  gorpc.NewServer(),
		replyMem: wire.NewReplyMemory(cfg.ReplyMemory),
	}
	for _, ct := range append(wire.XMLContentTypes, wire.JSONContentTypes...) {
		d.gorilla.RegisterCodec(callCodec{}, ct)
	}
	for _, svc := range append(services, d.system()) {
		if err := d.methods.add(svc); err != nil {
			return nil, err
		}
		if err := d.gorilla.RegisterService(svc.Receiver, svc.Name); err != nil {
			return nil, err
		}
	}
	d.metrics = ops.NewMetrics(d.methods.names())
	return d, nil
}

// Names returns the wire name of every method, sorted.
func (d *Dispatcher) Names() []string { return d.methods.names() }

// Lookup returns the declaration of a method, nil for an unknown name.
func (d *Dispatcher) Lookup(name string) *Method { return d.methods[name] }

// Metrics serves the counts of calls by method and fault code.
func (d *Dispatcher) Metrics() http.Handler { return d.metrics.Handler() }

// ServeXML is the XML-RPC endpoint.
func (d *Dispatcher) ServeXML(w http.ResponseWriter, r *http.Request) {
	d.serveRPC(w, r, xmlProtocol{})
}

// ServeJSON is the JSON-RPC endpoint.
func (d *Dispatcher) ServeJSON(w http.ResponseWriter, r *http.Request) {
	d.serveRPC(w, r, jsonProtocol{})
}

// protocol is one wire format: it reads a request body into calls and
// writes their outcomes.
type protocol interface {
	contentTypes() []string
	serve(d *Dispatcher, w http.ResponseWriter, r *http.Request, body []byte)
}

func (d *Dispatcher) serveRPC(w http.ResponseWriter, r *http.Request, p protocol) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "Method not allowed: the RPC endpoints take POST only.", http.StatusMethodNotAllowed)
		return
	}
	if msg := checkContentType(r.Header.Get("Content-Type"), p.contentTypes()); msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, d.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "Request body too large.", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "Unable to read the request body.", http.StatusBadRequest)
		return
	}
	st := &State{W: w, reply: wire.NewReply(d.cfg.MaxResponseBytes, d.replyMem), err: d.Unavailable(r)}
	defer st.reply.Release()
	if st.err == nil {
		st.Who, st.Session, st.why, st.err = d.cfg.Sessions.Identify(r)
	}
	p.serve(d, w, r.WithContext(context.WithValue(r.Context(), stateKey{}, st)), body)
}

// checkContentType returns the refusal text for an unusable Content-Type,
// or "".
func checkContentType(header string, accepted []string) string {
	if header == "" {
		return "Unable to handle your request, the Content-Type header is mandatory to allow the server to determine which handler can interpret your request."
	}
	mt, _, err := mime.ParseMediaType(header)
	if err == nil {
		for _, a := range accepted {
			if mt == a {
				return ""
			}
		}
	}
	return "Unable to handle your request, unsupported Content-Type " + header + "."
}

// State is what every call in one HTTP request shares.
type State struct {
	W       http.ResponseWriter // for Set-Cookie
	Who     *store.Principal    // nil for anonymous callers
	Session string              // id of the session whose token was sent
	reply   *wire.Reply         // the answer, built whole before it is sent
	why     string              // why an anonymous caller is anonymous, if unusual
	err     error               // why no call can run (database unavailable), or nil
}

type stateKey struct{}

// StateOf returns the state of the request a handler answers. A handler
// that logs the caller in or out changes Who and Session: later calls of
// the same request (system.multicall) run as the new caller.
func StateOf(r *http.Request) *State {
	return r.Context().Value(stateKey{}).(*State)
}

// Unavailable is store.ErrUnavailable while the database is known to be
// down, or the error that kept the request's tenant from being looked up:
// then every call fails the same way at once, and no credentials are
// checked (nor login allowance spent). See docs/running.md, Database
// outages.
func (d *Dispatcher) Unavailable(r *http.Request) error {
	if err := tenancy.RouteError(r.Context()); err != nil {
		return err
	}
	if !d.store.Available() {
		return store.ErrUnavailable
	}
	return nil
}
