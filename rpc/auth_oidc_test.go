package rpc

import (
	"crypto/x509"
	"encoding/pem"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tcms/tcms/rpc/oidc/oidctest"
)

// exchangeReply is Auth.exchange_oidc's reply on the wire.
type exchangeReply struct {
	Token     string  `json:"token"`
	ExpiresAt string  `json:"expires_at"`
	Username  string  `json:"username"`
	Tenant    *string `json:"tenant"`
}

const notAccepted = `Authentication failed when calling "Auth.exchange_oidc": the ID token is not accepted: it is invalid or expired, or no trust policy admits it here`

// TestExchangeOIDC: a CI job's ID token becomes a session of the bot a
// policy names, valid only where the policy says; everything else gets
// the one refusal that tells nothing about the policies.
func TestExchangeOIDC(t *testing.T) {
	b := mustOIDCBed(t)
	var policy policyRow
	result(t, b.aliceA("TrustPolicy.create", b.policy(map[string]any{"max_session": 120,
		"conditions": map[string]any{"repository": "acme/shop", "ref": "refs/heads/*"}})), &policy)
	anonA, anonB, anonPublic := b.at("/t/a", "", ""), b.at("/t/b", "", ""), b.at("/t/public", "", "")
	claims := map[string]any{"repository": "acme/shop", "ref": "refs/heads/main"}
	exchange := func(t *testing.T, call func(string, ...any) jsonResponse, raw string) exchangeReply {
		t.Helper()
		var r exchangeReply
		result(t, call("Auth.exchange_oidc", raw), &r)
		return r
	}
	refused := func(t *testing.T, call func(string, ...any) jsonResponse, raw string) {
		t.Helper()
		wantFault(t, call("Auth.exchange_oidc", raw), CodeAuth, notAccepted)
	}
	sessions := func() string { return sqlText(t, b.db, "SELECT count(*)::text FROM sessions") }

	t.Run("OK", func(t *testing.T) {
		for _, k := range b.iss.Keys() { // RS256 and ES256
			before := time.Now()
			r := exchange(t, anonA, b.iss.Sign(k, b.iss.Claims("tcms", claims)))
			if r.Username != "ci-bot" || r.Tenant == nil || *r.Tenant != "a" || r.Token == "" {
				t.Fatalf("%s: got %+v", k.Method.Alg(), r)
			}
			exp, err := time.Parse("2006-01-02T15:04:05", r.ExpiresAt)
			if err != nil || exp.Before(before.Add(119*time.Second).Truncate(time.Second)) || exp.After(time.Now().Add(121*time.Second)) {
				t.Fatalf("%s: expires at %s, want in max_session (120 s)", k.Method.Alg(), r.ExpiresAt)
			}
			// The session works at tenant a, as ci-bot with its labels there.
			bot := b.authAt("/t/a", "", "Bearer "+r.Token)
			result(t, bot("TestPlan.filter", map[string]any{}), new([]any))
			wantFault(t, bot("TenantGroup.create", map[string]any{"name": "x"}), CodeAuth, `Authentication failed when calling "TenantGroup.create": permission tenant_groups.add_group required`)
			// Anywhere else its holder is anonymous.
			for _, prefix := range []string{"/t/b", "/t/public"} {
				wantFault(t, b.authAt(prefix, "", "Bearer "+r.Token)("TestPlan.filter", map[string]any{}), CodeAuth, `Authentication failed when calling "TestPlan.filter": login required`)
			}
		}
	})
	t.Run("OKUnknownKeyAndRotation", func(t *testing.T) {
		fetches := b.iss.JWKSFetches.Load()
		added := b.iss.NewKey(jwt.SigningMethodES256)
		b.iss.Publish(added)
		exchange(t, anonA, b.iss.Sign(added, b.iss.Claims("tcms", claims)))
		if b.iss.JWKSFetches.Load() != fetches+1 {
			t.Fatal("a token with a new key id should make the server fetch the keys again")
		}
		old := b.iss.Keys()[0]
		time.Sleep(5 * time.Millisecond) // UnknownKeyInterval
		fresh := b.iss.Rotate()
		exchange(t, anonA, b.iss.Sign(fresh, b.iss.Claims("tcms", claims)))
		refused(t, anonA, b.iss.Sign(old, b.iss.Claims("tcms", claims)))
	})
	t.Run("OKGlobalPolicy", func(t *testing.T) {
		var global policyRow
		result(t, b.at("/t/public", adminName, adminPass)("TrustPolicy.create", b.policy(map[string]any{"user": userName,
			"audience": "https://tcms.test", "conditions": map[string]any{"project_path": "acme/*"}})), &global)
		raw := b.iss.Token("https://tcms.test", map[string]any{"project_path": "acme/shop"})
		for _, call := range []func(string, ...any) jsonResponse{anonPublic, anonA} {
			r := exchange(t, call, raw)
			if r.Username != userName || r.Tenant != nil {
				t.Fatalf("got %+v", r)
			}
			result(t, b.authAt("/t/public", "", "Bearer "+r.Token)("TestPlan.filter", map[string]any{}), new([]any))
		}
		// The glob's * stops at /.
		refused(t, anonPublic, b.iss.Token("https://tcms.test", map[string]any{"project_path": "acme/sub/shop"}))
		refused(t, anonPublic, b.iss.Token("https://tcms.test", map[string]any{"project_path": "evil/acme/shop"}))
		result(t, b.at("/t/public", adminName, adminPass)("TrustPolicy.remove", global.ID), new(any))
	})
	t.Run("ErrRefused", func(t *testing.T) {
		before := sessions()
		key := b.iss.Keys()[0]
		sign := func(changes map[string]any) string {
			return b.iss.Sign(key, b.iss.Claims("tcms", mergeClaims(claims, changes)))
		}
		other := oidctest.New(t) // trusted by no policy
		none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, b.iss.Claims("tcms", claims)).SignedString(jwt.UnsafeAllowNoneSignatureType)
		der, _ := x509.MarshalPKIXPublicKey(key.Public())
		hmac := jwt.NewWithClaims(jwt.SigningMethodHS256, b.iss.Claims("tcms", claims))
		hmac.Header["kid"] = key.ID
		confused, _ := hmac.SignedString(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
		valid := sign(nil)
		parts := strings.Split(valid, ".")
		tampered := parts[0] + "." + strings.Split(sign(map[string]any{"repository": "acme/shop2"}), ".")[1] + "." + parts[2]
		now := time.Now()
		for name, raw := range map[string]string{
			"wrong audience":            b.iss.Sign(key, b.iss.Claims("other", claims)),
			"wrong issuer":              other.Token("tcms", claims),
			"issuer impersonated":       other.Sign(other.Keys()[0], b.iss.Claims("tcms", claims)),
			"expired":                   sign(map[string]any{"exp": now.Add(-time.Hour).Unix()}),
			"not yet valid":             sign(map[string]any{"nbf": now.Add(time.Hour).Unix()}),
			"alg none":                  none,
			"HS256 with the public key": confused,
			"tampered":                  tampered,
			"unknown key":               b.iss.Sign(b.iss.NewKey(jwt.SigningMethodRS256), b.iss.Claims("tcms", claims)),
			"condition mismatch":        sign(map[string]any{"repository": "acme/other"}),
			"glob mismatch":             sign(map[string]any{"ref": "refs/tags/v1"}),
			"claim missing":             b.iss.Sign(key, b.iss.Claims("tcms", map[string]any{"repository": "acme/shop"})),
			"claim not text":            sign(map[string]any{"ref": []any{"refs/heads/main"}}),
		} {
			t.Run(name, func(t *testing.T) { refused(t, anonA, raw) })
		}
		// A policy of tenant a applies at a's address only.
		refused(t, anonB, valid)
		refused(t, anonPublic, valid)
		if got := sessions(); got != before {
			t.Fatalf("sessions went from %s to %s", before, got)
		}
		wantFault(t, anonA("Auth.exchange_oidc", "not a token"), CodeInternal, "Internal error: jwt: expected an ID token")
		wantFault(t, anonA("Auth.exchange_oidc"), CodeInvalidParams, "Invalid parameters: ")
	})
	t.Run("ErrInactiveBot", func(t *testing.T) {
		mustExec(t, b.db, "UPDATE users SET is_active = false WHERE username = 'ci-bot'")
		refused(t, anonA, b.iss.Token("tcms", claims))
		mustExec(t, b.db, "UPDATE users SET is_active = true WHERE username = 'ci-bot'")
	})
}

func mergeClaims(base, changes map[string]any) map[string]any {
	out := maps.Clone(base)
	maps.Copy(out, changes)
	return out
}
