package rpc

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kolo/xmlrpc"

	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

// testServer is a real server over real HTTP on a fresh database, with a
// superuser and an ordinary user.
type testServer struct {
	URL   string
	Store *store.Store
	DBURL string // the test database, for checks behind the server's back
	srv   *Server
	t     *testing.T
}

const (
	adminName = "admin"
	adminPass = "admin-pass-1"
	userName  = "tester"
	userPass  = "tester-pass-1"
)

func mustServer(t *testing.T) *testServer {
	t.Helper()
	return mustServerWith(t, func(*Config) {})
}

func mustServerWith(t *testing.T, edit func(*Config)) *testServer {
	t.Helper()
	return mustServerOn(t, store.Options{}, nil, edit)
}

// mustServerOn is mustServerWith over a store opened with opts; via, if
// not nil, gives the URL the store dials for the database's (a proxy's).
func mustServerOn(t *testing.T, opts store.Options, via func(string) string, edit func(*Config)) *testServer {
	t.Helper()
	u := storetest.URL(t)
	dial := u
	if via != nil {
		dial = via(u)
	}
	ctx := t.Context()
	st, err := store.OpenWith(ctx, dial, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if _, err := st.CreateUser(ctx, store.System, store.NewUser{Username: adminName, Password: adminPass, Email: "admin@example.com", IsStaff: true, IsSuperuser: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, store.System, store.NewUser{Username: userName, Password: userPass, Email: "tester@example.com"}); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Store: st, Secret: bytes.Repeat([]byte("k"), 32), Version: "16.2",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	edit(&cfg)
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &testServer{URL: hs.URL, Store: st, DBURL: u, srv: srv, t: t}
}

// jsonResponse is a JSON-RPC response object.
type jsonResponse struct {
	ID     any             `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// post sends a raw body and returns the HTTP response with its body read.
func (ts *testServer) post(path, contentType, body string, header ...string) (*http.Response, string) {
	ts.t.Helper()
	req, err := http.NewRequest(http.MethodPost, ts.URL+path, strings.NewReader(body))
	if err != nil {
		ts.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// jsonCall makes one JSON-RPC call with positional params.
func (ts *testServer) jsonCall(method string, params []any, header ...string) jsonResponse {
	ts.t.Helper()
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method, "params": params, "id": 1})
	resp, text := ts.post("/json-rpc/", "application/json", string(body), header...)
	if resp.StatusCode != http.StatusOK {
		ts.t.Fatalf("%s: HTTP %d: %s", method, resp.StatusCode, text)
	}
	var r jsonResponse
	if err := json.Unmarshal([]byte(text), &r); err != nil {
		ts.t.Fatalf("%s: %v in %s", method, err, text)
	}
	return r
}

// login returns a session token for the user, over JSON-RPC.
func (ts *testServer) login(user, pass string) string {
	ts.t.Helper()
	r := ts.jsonCall("Auth.login", []any{user, pass})
	if r.Error != nil {
		ts.t.Fatalf("login %s: %s", user, r.Error.Message)
	}
	var token string
	json.Unmarshal(r.Result, &token)
	return token
}

// xmlClient is a kolo/xmlrpc client with a cookie jar.
func (ts *testServer) xmlClient() *xmlrpc.Client {
	ts.t.Helper()
	c, err := xmlrpc.NewClient(ts.URL+"/xml-rpc/", nil) // keeps cookies
	if err != nil {
		ts.t.Fatal(err)
	}
	ts.t.Cleanup(func() { c.Close() })
	return c
}

// xmlFault posts an XML-RPC document and returns the fault it earned (or
// nil) and the raw response.
func (ts *testServer) xmlFault(doc string, header ...string) (*xmlrpc.FaultError, xmlrpc.Response) {
	ts.t.Helper()
	resp, text := ts.post("/xml-rpc/", "text/xml", doc, header...)
	if resp.StatusCode != http.StatusOK {
		ts.t.Fatalf("HTTP %d: %s", resp.StatusCode, text)
	}
	r := xmlrpc.Response(text)
	if err := r.Err(); err != nil {
		f := err.(xmlrpc.FaultError)
		return &f, r
	}
	return nil, r
}

func wantFault(t *testing.T, r jsonResponse, code int, prefix string) {
	t.Helper()
	if r.Error == nil {
		t.Fatalf("want fault %d %q, got result %s", code, prefix, r.Result)
	}
	if r.Error.Code != code || !strings.HasPrefix(r.Error.Message, prefix) {
		t.Fatalf("want fault %d %q, got %d %q", code, prefix, r.Error.Code, r.Error.Message)
	}
}
