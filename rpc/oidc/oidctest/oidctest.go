// Package oidctest runs a fake OpenID Connect issuer on loopback for
// tests: discovery, a JWK Set of its own RSA and EC keys that can be
// rotated, and ID tokens signed with any of them.
package oidctest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// Key is a signing key of the issuer.
type Key struct {
	ID     string
	Method jwt.SigningMethod
	signer crypto.Signer
}

// Issuer is a fake OIDC provider. Its URL is the issuer (iss) of its tokens.
type Issuer struct {
	URL string

	t         testing.TB
	mu        sync.Mutex
	published []*Key
	n         int
	// JWKSFetches counts requests for the JWK Set.
	JWKSFetches atomic.Int64
}

// New starts an issuer that publishes one RSA and one EC key.
func New(t testing.TB) *Issuer {
	t.Helper()
	iss := &Issuer{t: t}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": iss.URL, "jwks_uri": iss.URL + "/jwks"})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		iss.JWKSFetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write(iss.jwks())
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	iss.URL = srv.URL
	iss.Publish(iss.NewKey(jwt.SigningMethodRS256))
	iss.Publish(iss.NewKey(jwt.SigningMethodES256))
	return iss
}

// NewKey makes a key (RS256 or ES256) that is not published yet.
func (iss *Issuer) NewKey(m jwt.SigningMethod) *Key {
	iss.t.Helper()
	var signer crypto.Signer
	var err error
	if m == jwt.SigningMethodES256 {
		signer, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		signer, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		iss.t.Fatal(err)
	}
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.n++
	return &Key{ID: fmt.Sprintf("key-%d", iss.n), Method: m, signer: signer}
}

// Publish adds a key to the JWK Set.
func (iss *Issuer) Publish(k *Key) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.published = append(iss.published, k)
}

// Rotate replaces every published key with a new one of each kind and
// returns the new RSA key.
func (iss *Issuer) Rotate() *Key {
	rsaKey, ecKey := iss.NewKey(jwt.SigningMethodRS256), iss.NewKey(jwt.SigningMethodES256)
	iss.mu.Lock()
	iss.published = []*Key{rsaKey, ecKey}
	iss.mu.Unlock()
	return rsaKey
}

// Keys returns the published keys, RSA first after New and Rotate.
func (iss *Issuer) Keys() []*Key {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	return append([]*Key(nil), iss.published...)
}

// Public returns a key's public key.
func (k *Key) Public() crypto.PublicKey { return k.signer.Public() }

func (iss *Issuer) jwks() []byte {
	set := jwkset.NewMemoryStorage()
	for _, k := range iss.Keys() {
		jwk, err := jwkset.NewJWKFromKey(k.signer.Public(), jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{
			KID: k.ID, ALG: jwkset.ALG(k.Method.Alg()), USE: jwkset.UseSig}})
		if err != nil {
			iss.t.Error(err)
			return nil
		}
		if err := set.KeyWrite(iss.t.Context(), jwk); err != nil {
			iss.t.Error(err)
		}
	}
	raw, err := set.JSONPublic(iss.t.Context())
	if err != nil {
		iss.t.Error(err)
	}
	return raw
}

// Claims returns the claims of a valid token for audience aud, valid from
// a minute ago for five minutes, with extra claims added.
func (iss *Issuer) Claims(aud string, extra map[string]any) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{"iss": iss.URL, "aud": aud, "sub": "repo:acme/shop:ref:refs/heads/main",
		"iat": now.Add(-time.Minute).Unix(), "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(5 * time.Minute).Unix()}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

// Sign signs claims with the key, putting its id in the header.
func (iss *Issuer) Sign(k *Key, claims jwt.MapClaims) string {
	iss.t.Helper()
	tok := jwt.NewWithClaims(k.Method, claims)
	tok.Header["kid"] = k.ID
	s, err := tok.SignedString(k.signer)
	if err != nil {
		iss.t.Fatal(err)
	}
	return s
}

// Token is a valid token for aud with extra claims, signed with the
// first published key.
func (iss *Issuer) Token(aud string, extra map[string]any) string {
	return iss.Sign(iss.Keys()[0], iss.Claims(aud, extra))
}
