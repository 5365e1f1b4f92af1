// Package oidc verifies OpenID Connect ID tokens, such as the ones CI
// systems hand their jobs, for Auth.exchange_oidc. It finds an issuer's
// keys by OpenID discovery, keeps its JWK Set with keyfunc/jwkset (cached,
// fetched again on an unknown key id and after RefreshInterval), and lets
// golang-jwt check the signature (RS256 and ES256 only), iss, exp, nbf
// and iat. It never contacts an issuer the caller did not vouch for: the
// caller reads the unverified issuer with Issuer, checks that a trust
// policy names it, and only then calls Verify.
package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"
)

// Algorithms are the only signature algorithms accepted: never "none",
// never an HMAC (which a public key could be abused as the secret of).
var Algorithms = []string{"RS256", "ES256"}

// MaxTokenBytes bounds the size of an ID token; real ones are 1-2 KB.
const MaxTokenBytes = 16 << 10

// maxResponseBytes bounds a discovery document or JWK Set.
const maxResponseBytes = 1 << 20

// Defaults of Config.
const (
	DefaultLeeway             = 30 * time.Second
	DefaultRefreshInterval    = time.Hour
	DefaultUnknownKeyInterval = time.Minute
	DefaultHTTPTimeout        = 10 * time.Second
	// retryDelay is how long a failed discovery is remembered before the
	// issuer is asked again.
	retryDelay = 10 * time.Second
)

// Config tunes a Verifier; the zero value is usable.
type Config struct {
	// Issuers are the https issuers that may be trusted at all, so that
	// whoever writes trust policies cannot make the server fetch from
	// anywhere; empty or containing "*": any https issuer.
	Issuers []string
	// InsecureIssuers may be served over plain http (tests on loopback);
	// every other issuer, and its JWK Set, must be https.
	InsecureIssuers []string
	// Leeway is the clock skew allowed on exp, nbf and iat.
	Leeway time.Duration
	// RefreshInterval is how long an issuer's keys are used before they are
	// fetched again (on the next token of that issuer).
	RefreshInterval time.Duration
	// UnknownKeyInterval is the least time between two fetches of an
	// issuer's keys caused by tokens with a key id it does not know.
	UnknownKeyInterval time.Duration
	// HTTPTimeout bounds each request to an issuer.
	HTTPTimeout time.Duration
}

// Verifier checks ID tokens. It is safe for concurrent use.
type Verifier struct {
	cfg    Config
	client *http.Client

	mu      sync.Mutex
	issuers map[string]*issuer
}

// issuer is what the Verifier knows about one issuer's keys.
type issuer struct {
	mu      sync.Mutex
	keys    keyfunc.Keyfunc // nil until the first discovery succeeds
	fetched time.Time       // when keys were fetched; refetched after RefreshInterval
	err     error           // the last failed discovery, repeated for retryDelay
	failed  time.Time
}

// New returns a Verifier.
func New(cfg Config) *Verifier {
	if cfg.Leeway <= 0 {
		cfg.Leeway = DefaultLeeway
	}
	if cfg.RefreshInterval <= 0 {
		cfg.RefreshInterval = DefaultRefreshInterval
	}
	if cfg.UnknownKeyInterval <= 0 {
		cfg.UnknownKeyInterval = DefaultUnknownKeyInterval
	}
	if cfg.HTTPTimeout <= 0 {
		cfg.HTTPTimeout = DefaultHTTPTimeout
	}
	client := &http.Client{
		Timeout:   cfg.HTTPTimeout,
		Transport: limitedTransport{http.DefaultTransport},
		// A redirect could lead anywhere, plain http included.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Verifier{cfg: cfg, client: client, issuers: map[string]*issuer{}}
}

// limitedTransport cuts every response body at maxResponseBytes, so that
// an issuer cannot make the server read without end.
type limitedTransport struct{ http.RoundTripper }

func (t limitedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.RoundTripper.RoundTrip(r)
	if err == nil {
		resp.Body = limitedBody{io.LimitReader(resp.Body, maxResponseBytes), resp.Body}
	}
	return resp, err
}

type limitedBody struct {
	io.Reader
	io.Closer
}

// ErrMalformed is returned for anything that is not a compact JWT of a
// sensible size with a string iss claim.
var ErrMalformed = errors.New("not a JWT with an issuer")

// Issuer returns the iss claim of a JWT without verifying anything else,
// so that the caller can decide whether it trusts the issuer at all.
func Issuer(raw string) (string, error) {
	if len(raw) > MaxTokenBytes {
		return "", ErrMalformed
	}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(raw, claims); err != nil {
		return "", ErrMalformed
	}
	iss, err := claims.GetIssuer()
	if err != nil || iss == "" {
		return "", ErrMalformed
	}
	return iss, nil
}

// CheckIssuer refuses issuers that are not an absolute https URL without
// query, fragment or user info, or not among Issuers; issuers in
// InsecureIssuers may be http.
func (v *Verifier) CheckIssuer(iss string) error {
	u, err := url.Parse(iss)
	switch {
	case err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return fmt.Errorf("issuer %q: want an absolute URL such as https://token.actions.githubusercontent.com", iss)
	case u.Scheme == "http" && v.insecure(iss):
		return nil
	case u.Scheme != "https":
		return fmt.Errorf("issuer %q: must be https (or named in TCMS_OIDC_INSECURE_ISSUERS)", iss)
	case len(v.cfg.Issuers) > 0 && !slices.Contains(v.cfg.Issuers, "*") && !slices.Contains(v.cfg.Issuers, iss):
		return fmt.Errorf("issuer %q: not among the issuers this server trusts (TCMS_OIDC_ISSUERS)", iss)
	}
	return nil
}

func (v *Verifier) insecure(iss string) bool { return slices.Contains(v.cfg.InsecureIssuers, iss) }

// Verify checks a token of the issuer iss (as Issuer returned it): its
// signature against the issuer's keys, with an allowed algorithm, and
// its iss, exp (required), nbf and iat. It returns the token's claims.
// The audience and the other claims are the caller's to check.
func (v *Verifier) Verify(ctx context.Context, raw, iss string) (jwt.MapClaims, error) {
	if err := v.CheckIssuer(iss); err != nil {
		return nil, err
	}
	keys, err := v.keys(ctx, iss)
	if err != nil {
		return nil, err
	}
	parser := jwt.NewParser(jwt.WithValidMethods(Algorithms), jwt.WithIssuer(iss), jwt.WithLeeway(v.cfg.Leeway),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	claims := jwt.MapClaims{}
	if _, err := parser.ParseWithClaims(raw, claims, keys.KeyfuncCtx(ctx)); err != nil {
		return nil, err
	}
	return claims, nil
}

// keys returns the issuer's key set, discovering it the first time and
// again after RefreshInterval. While a refetch fails, the keys already
// known stay in use; an issuer never reached is asked again after
// retryDelay, not on every token.
func (v *Verifier) keys(ctx context.Context, iss string) (keyfunc.Keyfunc, error) {
	v.mu.Lock()
	e := v.issuers[iss]
	if e == nil {
		e = &issuer{}
		v.issuers[iss] = e
	}
	v.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now()
	if e.keys != nil && now.Sub(e.fetched) < v.cfg.RefreshInterval {
		return e.keys, nil
	}
	if e.keys == nil && e.err != nil && now.Sub(e.failed) < retryDelay {
		return nil, e.err
	}
	keys, err := v.discover(ctx, iss)
	switch {
	case err == nil:
		e.keys, e.fetched, e.err = keys, now, nil
	case e.keys != nil:
		e.fetched = now.Add(retryDelay - v.cfg.RefreshInterval)
	default:
		e.err, e.failed = err, now
		return nil, err
	}
	return e.keys, nil
}

// discovery is the part of an OpenID Provider's metadata used here.
type discovery struct {
	Issuer  string `json:"issuer"`
	JWKSURI string `json:"jwks_uri"`
}

// discover reads the issuer's metadata and fetches its JWK Set. An
// unknown key id later makes the set be fetched again, at most once per
// UnknownKeyInterval.
func (v *Verifier) discover(ctx context.Context, iss string) (keyfunc.Keyfunc, error) {
	ctx, cancel := context.WithTimeout(ctx, v.cfg.HTTPTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(iss, "/")+"/.well-known/openid-configuration", nil)
	if err != nil {
		return nil, err
	}
	resp, err := v.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("discovery of %s: %w", iss, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("discovery of %s: HTTP %d", iss, resp.StatusCode)
	}
	var d discovery
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		return nil, fmt.Errorf("discovery of %s: %w", iss, err)
	}
	if d.Issuer != iss {
		return nil, fmt.Errorf("discovery of %s: the document names issuer %q", iss, d.Issuer)
	}
	u, err := url.Parse(d.JWKSURI)
	if err != nil || u.Host == "" || !(u.Scheme == "https" || u.Scheme == "http" && v.insecure(iss)) {
		return nil, fmt.Errorf("discovery of %s: jwks_uri %q is not an https URL", iss, d.JWKSURI)
	}
	set, err := jwkset.NewStorageFromHTTP(d.JWKSURI, jwkset.HTTPClientStorageOptions{
		Client: v.client, Ctx: ctx, HTTPTimeout: v.cfg.HTTPTimeout,
		// No RefreshInterval: no goroutine; keys() refetches after
		// RefreshInterval instead.
	})
	if err != nil {
		return nil, fmt.Errorf("JWK Set of %s: %w", iss, err)
	}
	client, err := jwkset.NewHTTPClient(jwkset.HTTPClientOptions{
		HTTPURLs:          map[string]jwkset.Storage{d.JWKSURI: set},
		PrioritizeHTTP:    true,
		RefreshUnknownKID: rate.NewLimiter(rate.Every(v.cfg.UnknownKeyInterval), 1),
		// Bounds both the wait for the limiter and the refetch itself.
		RateLimitWaitMax: v.cfg.HTTPTimeout,
	})
	if err != nil {
		return nil, err
	}
	return keyfunc.New(keyfunc.Options{Storage: client})
}
