package rpc

import (
	"errors"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tcms/tcms/rpc/internal/dispatch"
	"github.com/tcms/tcms/rpc/internal/wire"
	"github.com/tcms/tcms/rpc/oidc"
	"github.com/tcms/tcms/store"
)

var authOIDCMethods = []Method{
	{Name: "Auth.exchange_oidc", Access: Anonymous, Returns: "struct",
		Doc: "Exchanges a CI job's OpenID Connect ID token (jwt) for a session (docs/ci.md): the token must be signed (RS256 or ES256) by a key its issuer publishes, be current, and match a trust policy that applies at this address (its issuer, an audience of the token, every condition); the first such policy, by id, gives a session of its user for at most its max_session, valid only at its tenant's address when it names one. Returns {token (send as Authorization: Bearer), expires_at, username, tenant}. Every refusal gets the same fault. Not in Kiwi TCMS."},
}

// ExchangeArgs are the parameters of Auth.exchange_oidc. The name is
// "jwt": keyword parameters naming a token are refused as secrets.
type ExchangeArgs struct {
	JWT string `json:"jwt"`
}

// Exchanged is Auth.exchange_oidc's reply.
type Exchanged struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	Username  string    `json:"username"`
	Tenant    *string   `json:"tenant"`
}

// errNotAccepted is every refusal of Auth.exchange_oidc: which check
// failed goes to the log only, so that callers cannot probe the policies.
var errNotAccepted = authFailed("Auth.exchange_oidc", "the ID token is not accepted: it is invalid or expired, or no trust policy admits it here")

// ExchangeOidc answers Auth.exchange_oidc. No issuer is contacted unless
// a policy at this address names it.
func (a *Auth) ExchangeOidc(r *http.Request, args *ExchangeArgs, reply *Exchanged) error {
	ctx := r.Context()
	iss, err := oidc.Issuer(args.JWT)
	if err != nil {
		return store.Errorf(store.Invalid, "jwt: expected an ID token, a signed JWT with an iss claim of at most %d bytes.", oidc.MaxTokenBytes)
	}
	refuse := func(why error, attrs ...any) error {
		a.s.log.WarnContext(ctx, "oidc exchange refused", append([]any{"issuer", wire.Truncate(iss, 200), "tenant", store.TenantOf(ctx), "reason", why.Error()}, attrs...)...)
		return errNotAccepted
	}
	policies, err := a.s.store.TrustPolicyCandidates(ctx, iss)
	if err != nil {
		return err
	}
	if len(policies) == 0 {
		return refuse(errors.New("no trust policy names the issuer here"))
	}
	claims, err := a.s.oidc.Verify(ctx, args.JWT, iss)
	if err != nil {
		return refuse(err)
	}
	sub, _ := claims.GetSubject()
	p, ok := firstPolicy(policies, claims)
	if !ok {
		return refuse(errors.New("no trust policy matches the audience and claims"), "subject", wire.Truncate(sub, 200))
	}
	token, id, exp, err := a.s.sessions.IssueFor(ctx, p.UserID, p.MaxSession, p.TenantID)
	if err != nil {
		return err
	}
	a.s.log.InfoContext(ctx, "oidc exchange", "issuer", iss, "subject", wire.Truncate(sub, 200), "policy", p.ID,
		"user", p.Username, "tenant", p.Tenant, "expires_at", exp.UTC().Format(time.RFC3339))
	// Later calls of the same request (system.multicall) run as this user.
	st := dispatch.StateOf(r)
	st.Who, st.Session = &store.Principal{UserID: p.UserID, Username: p.Username, IsSuperuser: p.Superuser, Tenant: p.Tenant}, id
	*reply = Exchanged{Token: token, ExpiresAt: exp.UTC().Truncate(time.Second), Username: p.Username}
	if p.Tenant != "" {
		reply.Tenant = &p.Tenant
	}
	return nil
}

// firstPolicy returns the first policy whose audience the token has and
// whose every condition its claims match.
func firstPolicy(policies []store.PolicyCandidate, claims jwt.MapClaims) (store.PolicyCandidate, bool) {
	auds, _ := claims.GetAudience()
	for _, p := range policies {
		for _, aud := range auds {
			if aud == p.Audience && conditionsMatch(p.Conditions, claims) {
				return p, true
			}
		}
	}
	return store.PolicyCandidate{}, false
}
