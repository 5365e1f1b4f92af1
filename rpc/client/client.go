// Package client is a small Go client for the tcms RPC API (and Kiwi TCMS):
// JSON-RPC 2.0 or XML-RPC over one keep-alive HTTP connection pool. The
// load generator cmd/tcms-bench uses it; so can scripts and tests.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kolo/xmlrpc"
)

// Protocol picks the wire format.
type Protocol int

const (
	JSON Protocol = iota // JSON-RPC 2.0 at /json-rpc/
	XML                  // XML-RPC at /xml-rpc/
)

// String is the protocol's name as flags spell it.
func (p Protocol) String() string {
	if p == XML {
		return "xml"
	}
	return "json"
}

// ParseProtocol reads "json" or "xml".
func ParseProtocol(s string) (Protocol, error) {
	switch strings.ToLower(s) {
	case "json":
		return JSON, nil
	case "xml":
		return XML, nil
	}
	return JSON, fmt.Errorf("unknown protocol %q: want json or xml", s)
}

// Fault is an error the server answered with: a JSON-RPC error object or
// an XML-RPC fault.
type Fault struct {
	Code    int
	Message string
}

func (f *Fault) Error() string { return fmt.Sprintf("fault %d: %s", f.Code, f.Message) }

// Client calls one server as one user. It is safe for concurrent use; all
// its calls share one pool of keep-alive connections.
type Client struct {
	url   string
	proto Protocol
	http  *http.Client
	token string // the session token Auth.login returned, sent as a Bearer token
	id    atomic.Int64
}

// New returns a client of the server at baseURL (http://host:port) that
// speaks proto. Up to conns connections are kept open for reuse; give the
// number of goroutines that call at once.
func New(baseURL string, proto Protocol, conns int) *Client {
	path := "/json-rpc/"
	if proto == XML {
		path = "/xml-rpc/"
	}
	conns = max(conns, 1)
	tr := &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     time.Minute,
	}
	return &Client{url: strings.TrimRight(baseURL, "/") + path, proto: proto, http: &http.Client{Transport: tr}}
}

// Protocol is the wire format the client speaks.
func (c *Client) Protocol() Protocol { return c.proto }

// Login calls Auth.login and sends the session token with every later call.
func (c *Client) Login(ctx context.Context, user, password string) error {
	var token string
	if err := c.Call(ctx, "Auth.login", []any{user, password}, &token); err != nil {
		return err
	}
	c.token = token
	return nil
}

// Token is the session token of the last Login, "" before.
func (c *Client) Token() string { return c.token }

// SetToken makes every later call send token as a Bearer token: an API
// token, or a session token from Auth.login or Auth.exchange_oidc.
func (c *Client) SetToken(token string) { c.token = token }

// Call makes one call and decodes its result into reply (a pointer, or nil
// to drop it), by reply's JSON tags for both protocols. A fault comes back
// as a *Fault.
func (c *Client) Call(ctx context.Context, method string, params []any, reply any) error {
	body, err := c.Raw(ctx, method, params)
	if err != nil {
		return err
	}
	return c.Decode(body, reply)
}

// Raw makes one call and returns the response body undecoded; only HTTP
// and transport errors are errors. Decode reads the body.
func (c *Client) Raw(ctx context.Context, method string, params []any) ([]byte, error) {
	if params == nil {
		params = []any{}
	}
	var req []byte
	var ctype string
	if c.proto == XML {
		req, ctype = encodeXMLCall(method, params), "text/xml"
	} else {
		var err error
		req, err = json.Marshal(jsonRequest{"2.0", method, params, c.id.Add(1)})
		if err != nil {
			return nil, err
		}
		ctype = "application/json"
	}
	return c.post(ctx, method, req, ctype)
}

// post sends one request body and returns the response body; what names
// the request in errors.
func (c *Client) post(ctx context.Context, what string, req []byte, ctype string) ([]byte, error) {
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(req))
	if err != nil {
		return nil, err
	}
	hr.Header.Set("Content-Type", ctype)
	if c.token != "" {
		hr.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d: %s", what, resp.StatusCode, bytes.TrimSpace(body))
	}
	return body, nil
}

type jsonRequest struct {
	JSONRPC string `json:"jsonrpc"`
	Method  string `json:"method"`
	Params  []any  `json:"params"`
	ID      int64  `json:"id"`
}

type jsonResponse struct {
	ID     int64           `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *Fault          `json:"error"`
}

// Decode reads a response body from Raw into reply (nil: only check for
// a fault).
func (c *Client) Decode(body []byte, reply any) error {
	if c.proto == JSON {
		var r jsonResponse
		if err := json.Unmarshal(body, &r); err != nil {
			return fmt.Errorf("reading the JSON-RPC response: %w", err)
		}
		if r.Error != nil {
			return r.Error
		}
		if reply == nil {
			return nil
		}
		return json.Unmarshal(r.Result, reply)
	}
	resp := xmlrpc.Response(body)
	if err := resp.Err(); err != nil {
		var f xmlrpc.FaultError
		if errors.As(err, &f) {
			return &Fault{Code: f.Code, Message: f.String}
		}
		return fmt.Errorf("reading the XML-RPC fault: %w", err)
	}
	if reply == nil {
		return nil
	}
	var v any
	if err := resp.Unmarshal(&v); err != nil {
		return fmt.Errorf("reading the XML-RPC response: %w", err)
	}
	// Through JSON, so one reply type serves both protocols.
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, reply)
}
