// Package rpc is the API: the HTTP endpoints, the XML-RPC and JSON-RPC
// codecs, the method registry with its permission check point, and one file
// per RPC namespace. Handlers are thin layers over the store.
package rpc

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	gorpc "github.com/gorilla/rpc/v2"

	"github.com/tcms/tcms/rpc/oidc"
	"github.com/tcms/tcms/store"
)

// Config holds what the server needs; cmd/tcms reads it from flags and
// the environment.
type Config struct {
	Store        *store.Store
	Secret       []byte        // HMAC key for session tokens
	SessionTTL   time.Duration // session lifetime
	EscapeHTML   bool          // HTML-escape returned strings, as Kiwi TCMS does
	MaxBodyBytes int64         // request body limit
	Version      string        // what KiwiTCMS.version answers
	// TenantsDomain turns on tenants: <schema>.<TenantsDomain> and the
	// /t/<schema>/ prefix pick one (docs/tenants.md). "": public only.
	TenantsDomain string
	// SendMail delivers one message (headers and body) to an address;
	// nil: messages are logged instead (Tenant.invite).
	SendMail func(to, msg string) error
	Pprof    bool // serve Go's profiles under /debug/pprof/ to superusers
	Logger   *slog.Logger
	// OIDC verifies the ID tokens of Auth.exchange_oidc (docs/ci.md).
	OIDC oidc.Config
	// InvitationTTL is how long a Tenant.invite token lasts (default
	// DefaultInvitationTTL); PasswordResetTTL a reset token's (default
	// DefaultPasswordResetTTL).
	InvitationTTL, PasswordResetTTL time.Duration

	// Limits (docs/running.md); <= 0: the default.
	MaxBatch         int   // calls in one JSON-RPC batch or system.multicall
	MaxResponseBytes int64 // bytes in one reply
	ReplyMemory      int64 // bytes all replies being built or sent may hold together
}

// The defaults of the limits.
const (
	// DefaultMaxBodyBytes is Kiwi TCMS's limit: room for a 5 MiB
	// attachment in base64.
	DefaultMaxBodyBytes     = 7864320
	DefaultMaxBatch         = 1000
	DefaultMaxResponseBytes = 256 << 20
	DefaultReplyMemory      = 256 << 20
)

// Server serves both RPC protocols over one set of registered methods.
type Server struct {
	cfg      Config
	store    *store.Store
	log      *slog.Logger
	methods  registry
	gorilla  *gorpc.Server
	sessions *sessions
	oidc     *oidc.Verifier
	metrics  *metrics
	mux      *http.ServeMux
	later    sync.WaitGroup // work a call leaves running after its reply (reset mails)
	replyMem *replyMemory
}

// services lists every namespace: the whole API surface in one place.
func (s *Server) services() []service {
	return []service{
		{"Attachment", &Attachment{s}, attachmentMethods},
		{"Audit", &Audit{s}, auditMethods},
		{"Auth", &Auth{s}, slices.Concat(authMethods, authOIDCMethods, authLifecycleMethods)},
		{"Bug", &Bug{s}, slices.Concat(bugMethods, bugLinkMethods)},
		{"BugTracker", &BugTracker{s}, bugTrackerMethods},
		{"Build", &Build{s}, buildMethods},
		{"Category", &Category{s}, categoryMethods},
		{"Classification", &Classification{s}, classificationMethods},
		{"Component", &Component{s}, componentMethods},
		{"Environment", &Environment{s}, environmentMethods},
		{"Group", &Group{s}, groupMethods},
		{"Invitation", &Invitation{s}, invitationMethods},
		{"KiwiTCMS", &KiwiTCMS{s}, kiwiTCMSMethods},
		{"Markdown", &Markdown{s}, markdownMethods},
		{"ObjectPermission", &ObjectPermission{s}, objectPermissionMethods},
		{"Permission", &Permission{s}, permissionMethods},
		{"PlanType", &PlanType{s}, planTypeMethods},
		{"Priority", &Priority{s}, priorityMethods},
		{"Product", &Product{s}, productMethods},
		{"Severity", &Severity{s}, severityMethods},
		{"Tag", &Tag{s}, tagMethods},
		{"Template", &Template{s}, templateMethods},
		{"Tenant", &Tenant{s}, slices.Concat(tenantMethods, tenantAdminMethods)},
		{"TenantGroup", &TenantGroup{s}, tenantGroupMethods},
		{"TestCase", &TestCase{s}, slices.Concat(testCaseMethods, testCaseLinkMethods)},
		{"TestCaseStatus", &TestCaseStatus{s}, testCaseStatusMethods},
		{"TestExecution", &TestExecution{s}, slices.Concat(testExecutionMethods, testExecutionLinkMethods)},
		{"TestExecutionStatus", &TestExecutionStatus{s}, testExecutionStatusMethods},
		{"TestPlan", &TestPlan{s}, testPlanMethods},
		{"TestRun", &TestRun{s}, slices.Concat(testRunMethods, testRunLinkMethods, testRunCaseMethods)},
		{"Testing", &Testing{s}, testingMethods},
		{"TrustPolicy", &TrustPolicy{s}, trustPolicyMethods},
		{"User", &User{s}, slices.Concat(userMethods, userLifecycleMethods)},
		{"Version", &Version{s}, versionMethods},
		{"system", &System{s}, systemMethods},
	}
}

// New builds the server and registers every method.
func New(cfg Config) (*Server, error) {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = DefaultMaxBatch
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if cfg.ReplyMemory <= 0 {
		cfg.ReplyMemory = DefaultReplyMemory
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 24 * time.Hour
	}
	if cfg.InvitationTTL <= 0 {
		cfg.InvitationTTL = DefaultInvitationTTL
	}
	if cfg.PasswordResetTTL <= 0 {
		cfg.PasswordResetTTL = DefaultPasswordResetTTL
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if len(cfg.Secret) < 32 {
		return nil, errors.New("rpc: the session secret must be at least 32 bytes")
	}
	s := &Server{
		cfg:      cfg,
		store:    cfg.Store,
		log:      cfg.Logger,
		methods:  registry{},
		gorilla:  gorpc.NewServer(),
		sessions: &sessions{store: cfg.Store, secret: cfg.Secret, ttl: cfg.SessionTTL},
		oidc:     oidc.New(cfg.OIDC),
		replyMem: &replyMemory{max: cfg.ReplyMemory},
	}
	for _, ct := range append(xmlContentTypes, jsonContentTypes...) {
		s.gorilla.RegisterCodec(callCodec{}, ct)
	}
	for _, svc := range s.services() {
		if err := s.methods.add(svc); err != nil {
			return nil, err
		}
		if err := s.gorilla.RegisterService(svc.rcvr, svc.name); err != nil {
			return nil, err
		}
	}
	s.metrics = newMetrics(s.methods.names())
	s.mux = http.NewServeMux()
	xmlRPC := s.routed(func(w http.ResponseWriter, r *http.Request) { s.serveRPC(w, r, xmlProtocol{}) })
	jsonRPC := s.routed(func(w http.ResponseWriter, r *http.Request) { s.serveRPC(w, r, jsonProtocol{}) })
	// Without the trailing slash too: served, not redirected (a redirect
	// loses the POST body with many clients).
	s.mux.HandleFunc("/xml-rpc/", xmlRPC)
	s.mux.HandleFunc("/xml-rpc", xmlRPC)
	s.mux.HandleFunc("/json-rpc/{$}", jsonRPC)
	s.mux.HandleFunc("/json-rpc", jsonRPC)
	s.mux.HandleFunc("GET /uploads/attachments/{owner}/{id}/{file}", s.routed(s.serveAttachment))
	if cfg.TenantsDomain != "" {
		s.mux.HandleFunc("/t/{tenant}/xml-rpc/", xmlRPC)
		s.mux.HandleFunc("/t/{tenant}/xml-rpc", xmlRPC)
		s.mux.HandleFunc("/t/{tenant}/json-rpc/{$}", jsonRPC)
		s.mux.HandleFunc("/t/{tenant}/json-rpc", jsonRPC)
		s.mux.HandleFunc("GET /t/{tenant}/uploads/attachments/{owner}/{id}/{file}", s.routed(s.serveAttachment))
	}
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	s.mux.HandleFunc("GET /readyz", s.serveReady)
	s.mux.Handle("GET /metrics", s.metrics.handler())
	if cfg.Pprof {
		s.mux.Handle("/debug/pprof/", s.pprofHandler())
	}
	return s, nil
}

// ServeHTTP routes a request to an endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// protocol is one wire format: it reads a request body into calls and
// writes their outcomes.
type protocol interface {
	contentTypes() []string
	serve(s *Server, w http.ResponseWriter, r *http.Request, body []byte)
}

func (s *Server) serveRPC(w http.ResponseWriter, r *http.Request, p protocol) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "Method not allowed: the RPC endpoints take POST only.", http.StatusMethodNotAllowed)
		return
	}
	if msg := checkContentType(r.Header.Get("Content-Type"), p.contentTypes()); msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "Request body too large.", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "Unable to read the request body.", http.StatusBadRequest)
		return
	}
	st := &requestState{w: w, reply: s.newReply(), err: s.unavailable(r)}
	defer st.reply.release()
	if st.err == nil {
		st.who, st.session, st.why, st.err = s.sessions.identify(r)
	}
	p.serve(s, w, r.WithContext(context.WithValue(r.Context(), stateKey{}, st)), body)
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

// requestState is what every call in one HTTP request shares.
type requestState struct {
	w       http.ResponseWriter // for Set-Cookie
	reply   *reply              // the answer, built whole before it is sent
	who     *store.Principal    // nil for anonymous callers
	session string              // id of the session whose token was sent
	why     string              // why an anonymous caller is anonymous, if unusual
	err     error               // why no call can run (database unavailable), or nil
}

type stateKey struct{}

func stateOf(r *http.Request) *requestState {
	return r.Context().Value(stateKey{}).(*requestState)
}

// call is one method call on its way through gorilla/rpc: the protocols
// decode it, dispatch runs it, and it doubles as the gorilla CodecRequest
// that captures the outcome instead of writing it.
type call struct {
	name   string
	params []any
	named  map[string]any // JSON-RPC keyword parameters
	xml    bool

	srv    *Server
	ctx    context.Context
	who    *store.Principal
	why    string // see requestState
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
// tenant's admission comes first (admit).
func (c *call) Method() (string, error) {
	m := c.srv.methods[c.name]
	if m == nil {
		return "", noMethod(c.name)
	}
	c.method = m
	reader, err := c.srv.admit(c.ctx, c.who, m)
	if err != nil {
		return "", err
	}
	if reader {
		return m.goName, nil
	}
	check, err := c.srv.authorize(m.scope(c.ctx), c.who, c.why, m)
	if err != nil {
		return "", err
	}
	c.objectCheck = check
	return m.goName, nil
}

// ReadRequest binds the parameters and, for a getter whose caller lacks
// the unbound label, finishes the permission check on the record asked for.
func (c *call) ReadRequest(args any) error {
	if err := bind(c.method.args, args, c.params, c.named); err != nil {
		return err
	}
	if c.objectCheck {
		return c.srv.authorizeObject(c, args)
	}
	return nil
}

func (c *call) WriteResponse(_ http.ResponseWriter, reply any) { c.reply = reply }

func (c *call) WriteError(_ http.ResponseWriter, _ int, err error) { c.err = err }

// authorize refuses a caller who may not call m: anonymous callers of
// methods that need a login (why is the reason they are given, if not the
// usual one), and callers lacking any of m's labels. The caller's
// permission set comes from the store's cache. A single-record getter
// whose caller lacks its label is not refused yet: objectCheck says that
// an object grant on the record must decide.
func (s *Server) authorize(ctx context.Context, who *store.Principal, why string, m *Method) (objectCheck bool, err error) {
	if m.Access == Anonymous {
		return false, nil
	}
	if who == nil {
		return false, authFailed(m.Name, cmp.Or(why, "login required"))
	}
	if m.Access != Perms {
		return false, nil
	}
	missing, err := s.store.MissingPermission(ctx, *who, m.Perms)
	switch {
	case err != nil:
		return false, err
	case missing == "":
		return false, nil
	case m.Getter:
		return true, nil
	case m.Global && tenantOf(ctx) != nil:
		return false, authFailed(m.Name, "permission "+missing+" required, held globally: labels from tenant "+tenantOf(ctx).SchemaName+"'s groups do not count for shared accounts and groups")
	}
	return false, authFailed(m.Name, "permission "+missing+" required")
}

// authorizeObject is the rest of a getter's check: the caller needs an
// object grant of the getter's label on the record, whose type is the
// namespace and whose id is the first parameter. It runs before the
// handler, so a refused caller learns nothing, not even whether the
// record exists.
func (s *Server) authorizeObject(c *call, args any) error {
	m := c.method
	objectType, _, _ := strings.Cut(m.Name, ".")
	id := reflect.ValueOf(args).Elem().Field(m.args.fields[0].index).Int()
	ok, err := s.store.CanView(c.ctx, *c.who, m.Perms[0], objectType, id)
	if err != nil {
		return err
	}
	if !ok {
		return authFailed(m.Name, "permission "+m.Perms[0]+" required")
	}
	return nil
}

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
// as a *Fault.
func (s *Server) dispatch(r *http.Request, c *call) {
	start := time.Now()
	st := stateOf(r)
	c.srv, c.ctx, c.who, c.why = s, r.Context(), st.who, st.why
	switch {
	case st.err != nil:
		c.err = st.err
	case r.Context().Err() != nil: // the client is gone: run nothing more
		c.err = r.Context().Err()
	case c.restricted():
		c.err = invalidRequest("Unsupported field")
	default:
		ctx := withActor(r)
		if m := s.methods[c.name]; m != nil {
			ctx = m.scope(ctx)
		}
		s.invoke(st.w, r.WithContext(context.WithValue(ctx, callKey{}, c)), c)
	}
	code := 0
	if c.err != nil {
		f := s.toFault(r.Context(), c.name, c.err)
		c.err, code = f, f.Code
	}
	s.observe(r.Context(), c, code, time.Since(start))
}

// invoke runs the call through gorilla/rpc. A panicking handler becomes an
// internal error for its caller, not a dropped connection.
func (s *Server) invoke(w http.ResponseWriter, r *http.Request, c *call) {
	defer func() {
		if p := recover(); p != nil {
			c.err = fmt.Errorf("panic in %s: %v\n%s", c.name, p, debug.Stack())
		}
	}()
	s.gorilla.ServeHTTP(w, r)
	if c.err == nil && c.method == nil {
		c.err = errors.New("gorilla/rpc refused the call")
	}
}

func (s *Server) observe(ctx context.Context, c *call, code int, d time.Duration) {
	name := truncate(c.name, 100)
	user := ""
	if c.who != nil {
		user = c.who.Username
	}
	s.metrics.observe(name, code, d)
	s.log.LogAttrs(ctx, slog.LevelInfo, "rpc",
		slog.String("method", name),
		slog.String("user", user),
		slog.String("tenant", store.TenantOf(ctx)),
		slog.Float64("ms", float64(d.Microseconds())/1000),
		slog.Int("code", code))
}
