package oidc_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tcms/tcms/rpc/oidc"
	"github.com/tcms/tcms/rpc/oidc/oidctest"
)

func newVerifier(iss *oidctest.Issuer) *oidc.Verifier {
	return oidc.New(oidc.Config{InsecureIssuers: []string{iss.URL}, UnknownKeyInterval: time.Millisecond})
}

// verify runs a token through Issuer and Verify as Auth.exchange_oidc does.
func verify(t *testing.T, v *oidc.Verifier, raw string) (jwt.MapClaims, error) {
	t.Helper()
	iss, err := oidc.Issuer(raw)
	if err != nil {
		return nil, err
	}
	return v.Verify(t.Context(), raw, iss)
}

func TestVerify(t *testing.T) {
	iss := oidctest.New(t)
	v := newVerifier(iss)
	t.Run("OK", func(t *testing.T) {
		for _, k := range iss.Keys() {
			claims, err := verify(t, v, iss.Sign(k, iss.Claims("tcms", map[string]any{"repository": "acme/shop"})))
			if err != nil {
				t.Fatalf("%s: %v", k.Method.Alg(), err)
			}
			if claims["repository"] != "acme/shop" {
				t.Fatalf("claims %v", claims)
			}
		}
		if n := iss.JWKSFetches.Load(); n != 1 {
			t.Fatalf("the JWK Set was fetched %d times, want once", n)
		}
	})
	refused := func(t *testing.T, raw, why string) {
		t.Helper()
		_, err := verify(t, v, raw)
		if err == nil || !strings.Contains(err.Error(), why) {
			t.Fatalf("want an error containing %q, got %v", why, err)
		}
	}
	key := iss.Keys()[0]
	t.Run("ErrExpired", func(t *testing.T) {
		refused(t, iss.Sign(key, iss.Claims("tcms", map[string]any{"exp": time.Now().Add(-time.Minute).Unix()})), "token is expired")
	})
	t.Run("ErrNoExpiry", func(t *testing.T) {
		c := iss.Claims("tcms", nil)
		delete(c, "exp")
		refused(t, iss.Sign(key, c), "exp claim is required")
	})
	t.Run("ErrNotYetValid", func(t *testing.T) {
		refused(t, iss.Sign(key, iss.Claims("tcms", map[string]any{"nbf": time.Now().Add(time.Hour).Unix()})), "token is not valid yet")
	})
	t.Run("ErrIssuedInFuture", func(t *testing.T) {
		refused(t, iss.Sign(key, iss.Claims("tcms", map[string]any{"iat": time.Now().Add(time.Hour).Unix()})), "token used before issued")
	})
	t.Run("LeewayOK", func(t *testing.T) {
		if _, err := verify(t, v, iss.Sign(key, iss.Claims("tcms", map[string]any{"exp": time.Now().Add(-10 * time.Second).Unix()}))); err != nil {
			t.Fatalf("10 s after exp is within the leeway: %v", err)
		}
	})
	t.Run("ErrAlgNone", func(t *testing.T) {
		raw, err := jwt.NewWithClaims(jwt.SigningMethodNone, iss.Claims("tcms", nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
		if err != nil {
			t.Fatal(err)
		}
		refused(t, raw, "signing method none is invalid")
	})
	t.Run("ErrHMACWithPublicKey", func(t *testing.T) {
		// The classic confusion: HS256 keyed with the issuer's public key
		// as published (PEM), which an attacker can download.
		der, err := x509.MarshalPKIXPublicKey(key.Public())
		if err != nil {
			t.Fatal(err)
		}
		pub := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		tok := jwt.NewWithClaims(jwt.SigningMethodHS256, iss.Claims("tcms", nil))
		tok.Header["kid"] = key.ID
		raw, err := tok.SignedString(pub)
		if err != nil {
			t.Fatal(err)
		}
		refused(t, raw, "signing method HS256 is invalid")
	})
	t.Run("ErrTampered", func(t *testing.T) {
		parts := strings.Split(iss.Token("tcms", map[string]any{"repository": "acme/shop"}), ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		parts[1] = base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), "acme/shop", "evil/shop", 1)))
		refused(t, strings.Join(parts, "."), "verification error")
	})
	t.Run("ErrForeignKey", func(t *testing.T) {
		// Signed by a key of the issuer's kind and id that it never published.
		stranger := iss.NewKey(jwt.SigningMethodRS256)
		stranger.ID = key.ID
		refused(t, iss.Sign(stranger, iss.Claims("tcms", nil)), "verification error")
	})
	t.Run("ErrUnknownKey", func(t *testing.T) {
		before := iss.JWKSFetches.Load()
		refused(t, iss.Sign(iss.NewKey(jwt.SigningMethodES256), iss.Claims("tcms", nil)), "key not found")
		if iss.JWKSFetches.Load() != before+1 {
			t.Fatal("an unknown key id should make the verifier fetch the JWK Set again")
		}
	})
	t.Run("ErrWrongIssuer", func(t *testing.T) {
		c := iss.Claims("tcms", nil)
		other := oidctest.New(t)
		// A token that names one issuer but is checked as another's.
		raw := iss.Sign(key, c)
		if _, err := v.Verify(t.Context(), raw, other.URL); err == nil {
			t.Fatal("accepted a token of another issuer")
		}
	})
	t.Run("ErrMalformed", func(t *testing.T) {
		for _, raw := range []string{"", "abc", "a.b.c", strings.Repeat("x", oidc.MaxTokenBytes+1),
			iss.Sign(key, jwt.MapClaims{"sub": "no issuer"})} {
			if _, err := oidc.Issuer(raw); err != oidc.ErrMalformed {
				t.Fatalf("%.40q: got %v", raw, err)
			}
		}
	})
}

// TestRotation: a new key is picked up without a restart, through the
// refetch on an unknown key id; after the rotation the old keys are gone.
func TestRotation(t *testing.T) {
	iss := oidctest.New(t)
	v := newVerifier(iss)
	old := iss.Keys()[0]
	if _, err := verify(t, v, iss.Token("tcms", nil)); err != nil {
		t.Fatal(err)
	}
	fresh := iss.Rotate()
	time.Sleep(5 * time.Millisecond) // UnknownKeyInterval
	if _, err := verify(t, v, iss.Sign(fresh, iss.Claims("tcms", nil))); err != nil {
		t.Fatalf("the rotated key: %v", err)
	}
	if _, err := verify(t, v, iss.Sign(old, iss.Claims("tcms", nil))); err == nil {
		t.Fatal("a key the issuer no longer publishes still verifies")
	}
}

// TestUnknownKeyRateLimit: tokens with made-up key ids cannot make the
// server fetch the issuer's keys more than once per UnknownKeyInterval.
func TestUnknownKeyRateLimit(t *testing.T) {
	iss := oidctest.New(t)
	v := oidc.New(oidc.Config{InsecureIssuers: []string{iss.URL}, UnknownKeyInterval: time.Hour, HTTPTimeout: 100 * time.Millisecond})
	if _, err := verify(t, v, iss.Token("tcms", nil)); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		verify(t, v, iss.Sign(iss.NewKey(jwt.SigningMethodRS256), iss.Claims("tcms", nil)))
	}
	if n := iss.JWKSFetches.Load(); n != 2 {
		t.Fatalf("%d fetches of the JWK Set, want 2 (discovery and one refetch)", n)
	}
}

func TestCheckIssuer(t *testing.T) {
	v := oidc.New(oidc.Config{InsecureIssuers: []string{"http://127.0.0.1:1"}})
	for iss, ok := range map[string]bool{
		"https://token.actions.githubusercontent.com": true, "https://gitlab.com": true, "http://127.0.0.1:1": true,
		"http://gitlab.example.com": false, "http://127.0.0.1:2": false, "gitlab.com": false, "https://gitlab.com?x=1": false,
		"https://user:pw@gitlab.com": false, "https://gitlab.com#f": false, "ftp://gitlab.com": false, "": false,
	} {
		if err := v.CheckIssuer(iss); (err == nil) != ok {
			t.Errorf("%q: got %v", iss, err)
		}
	}
	if _, err := v.Verify(t.Context(), "x.y.z", "http://gitlab.example.com"); err == nil || !strings.Contains(err.Error(), "must be https") {
		t.Fatalf("an http issuer: %v", err)
	}
	listed := oidc.New(oidc.Config{Issuers: []string{"https://gitlab.com"}, InsecureIssuers: []string{"http://127.0.0.1:1"}})
	for iss, ok := range map[string]bool{"https://gitlab.com": true, "http://127.0.0.1:1": true, "https://token.actions.githubusercontent.com": false,
		"https://10.0.0.1": false} {
		if err := listed.CheckIssuer(iss); (err == nil) != ok {
			t.Errorf("with a list, %q: got %v", iss, err)
		}
	}
	if err := oidc.New(oidc.Config{Issuers: []string{"*"}}).CheckIssuer("https://10.0.0.1"); err != nil {
		t.Errorf("* allows any https issuer: %v", err)
	}
}
