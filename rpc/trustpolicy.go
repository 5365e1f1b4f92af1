package rpc

import (
	"fmt"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tcms/tcms/store"
)

// TrustPolicy is the TrustPolicy namespace: which CI identities may act
// as which user through Auth.exchange_oidc (docs/ci.md).
type TrustPolicy struct{ s *Server }

var trustPolicyMethods = []Method{
	{Name: "TrustPolicy.create", Access: Perms, Perms: []string{"tcms.add_trustpolicy"}, Returns: "struct",
		Doc: "Creates a trust policy from {issuer (https URL), audience, conditions ({claim: exact text or glob}, at least one), user (id or username), tenant (schema; at a tenant's address always that tenant), max_session (seconds, 60 to 86400, default 3600)} and returns it as TrustPolicy.filter does. At the public address superusers only; at a tenant's address the policy names the tenant, and a non-superuser binds only users authorised there whose labels (in the tenant and globally) it holds itself, never a superuser. Not in Kiwi TCMS."},
	{Name: "TrustPolicy.filter", Access: Perms, Perms: []string{"tcms.view_trustpolicy"}, Returns: "array",
		Doc: "The trust policies in scope (at the public address all, superusers only; at a tenant's address the ones naming it) matching the query, by id, as {id, issuer, audience, conditions, user, user__username, tenant, max_session, created_at, created_by}. Filterable: those keys but conditions. Not in Kiwi TCMS."},
	{Name: "TrustPolicy.update", Access: Perms, Perms: []string{"tcms.change_trustpolicy"}, Returns: "struct",
		Doc: "Changes the given fields of a trust policy in scope (policy_id, values as TrustPolicy.create takes them; conditions are replaced whole), with TrustPolicy.create's checks, and returns it. Not in Kiwi TCMS."},
	{Name: "TrustPolicy.remove", Access: Perms, Perms: []string{"tcms.delete_trustpolicy"}, Returns: "nil",
		Doc: "Deletes a trust policy in scope (policy_id); sessions it issued run until they expire (Auth.logout ends one). Not in Kiwi TCMS."},
}

// PolicyIDArgs names one trust policy.
type PolicyIDArgs struct {
	PolicyID int64 `json:"policy_id"`
}

// PolicyUpdateArgs are the parameters of TrustPolicy.update.
type PolicyUpdateArgs struct {
	PolicyID int64          `json:"policy_id"`
	Values   map[string]any `json:"values"`
}

// Limits of a policy's conditions.
const (
	maxConditions      = 20
	maxClaimNameLen    = 100
	maxClaimPatternLen = 500
)

// policyKeys are the keys a policy's values may have.
var policyKeys = []string{"issuer", "audience", "conditions", "user", "tenant", "max_session"}

// reservedClaims are checked by the exchange itself, never by conditions.
var reservedClaims = []string{"iss", "aud", "exp", "nbf", "iat"}

// Create answers TrustPolicy.create.
func (p *TrustPolicy) Create(r *http.Request, args *ValuesArgs, reply *store.TrustPolicy) error {
	v := store.TrustPolicyValues{MaxSession: store.DefaultMaxSession}
	if err := p.read(args.Values, &v, true); err != nil {
		return err
	}
	who := caller(r)
	tp, err := p.s.store.CreateTrustPolicy(r.Context(), *who, v)
	if err != nil {
		return err
	}
	p.s.log.InfoContext(r.Context(), "trust policy created", policyAttrs(who, tp)...)
	*reply = tp
	return nil
}

// Filter answers TrustPolicy.filter.
func (p *TrustPolicy) Filter(r *http.Request, args *OptQueryArgs, reply *[]store.TrustPolicy) (err error) {
	*reply, err = p.s.store.FilterTrustPolicies(r.Context(), *caller(r), args.Query)
	return err
}

// Update answers TrustPolicy.update.
func (p *TrustPolicy) Update(r *http.Request, args *PolicyUpdateArgs, reply *store.TrustPolicy) error {
	who := caller(r)
	tp, err := p.s.store.UpdateTrustPolicy(r.Context(), *who, args.PolicyID, func(v *store.TrustPolicyValues) error {
		return p.read(args.Values, v, false)
	})
	if err != nil {
		return err
	}
	p.s.log.InfoContext(r.Context(), "trust policy updated", policyAttrs(who, tp)...)
	*reply = tp
	return nil
}

// Remove answers TrustPolicy.remove.
func (p *TrustPolicy) Remove(r *http.Request, args *PolicyIDArgs, _ *any) error {
	who := caller(r)
	if err := p.s.store.RemoveTrustPolicy(r.Context(), *who, args.PolicyID); err != nil {
		return err
	}
	p.s.log.InfoContext(r.Context(), "trust policy removed", "by", who.Username, "policy", args.PolicyID, "tenant", store.TenantOf(r.Context()))
	return nil
}

// policyAttrs describe a policy change for the log, the audit trail
// until there is an audit table.
func policyAttrs(who *store.Principal, tp store.TrustPolicy) []any {
	tenant := ""
	if tp.Tenant != nil {
		tenant = *tp.Tenant
	}
	return []any{"by", who.Username, "policy", tp.ID, "issuer", tp.Issuer, "audience", tp.Audience,
		"conditions", tp.Conditions, "user", tp.Username, "tenant", tenant, "max_session", tp.MaxSession}
}

// read sets the fields of v given in values (all required ones when
// create is true) and checks them.
func (p *TrustPolicy) read(values map[string]any, v *store.TrustPolicyValues, create bool) error {
	for k := range values {
		if !slices.Contains(policyKeys, k) {
			return store.Errorf(store.Invalid, "Unknown field %q; a trust policy has %s.", k, strings.Join(policyKeys, ", "))
		}
	}
	f := newForm(values)
	if create || f.has("issuer") {
		v.Issuer = f.text("issuer", true, 255)
		if v.Issuer != "" {
			if err := p.s.oidc.CheckIssuer(v.Issuer); err != nil {
				f.fail("issuer", err.Error())
			}
		}
	}
	if create || f.has("audience") {
		v.Audience = f.text("audience", true, 255)
	}
	if create || f.has("conditions") {
		conds, err := readConditions(values["conditions"])
		if err != nil {
			f.fail("conditions", err.Error())
		}
		v.Conditions = conds
	}
	if create || f.has("user") {
		switch u := values["user"].(type) {
		case int64, string:
			v.User = u
		default:
			f.fail("user", "Expected a user id or username.")
		}
	}
	if f.has("tenant") {
		v.Tenant = nil
		if s := f.text("tenant", false, 63); s != "" {
			v.Tenant = &s
		}
	}
	if create || f.has("max_session") {
		n := f.integer("max_session", store.DefaultMaxSession)
		if n < 60 || n > 86400 {
			f.fail("max_session", "Ensure this value is between 60 and 86400 seconds.")
		}
		v.MaxSession = int32(min(max(n, 0), 86400))
	}
	return f.err()
}

// readConditions checks a policy's conditions: a struct of 1 to
// maxConditions claim names, each with a pattern that is exact text or a
// glob (path.Match: * and ? do not cross /), and not made of wildcards
// only, so that every policy pins some identity.
func readConditions(v any) (map[string]string, error) {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return nil, fmt.Errorf(`Expected a struct of claim patterns, at least one, e.g. {"repository": "acme/shop"}.`)
	}
	if len(m) > maxConditions {
		return nil, fmt.Errorf("At most %d conditions.", maxConditions)
	}
	out := make(map[string]string, len(m))
	for claim, p := range m {
		pattern, ok := p.(string)
		switch {
		case claim == "" || utf8.RuneCountInString(claim) > maxClaimNameLen:
			return nil, fmt.Errorf("A claim name has 1 to %d characters.", maxClaimNameLen)
		case slices.Contains(reservedClaims, claim):
			return nil, fmt.Errorf("%q is checked by the policy itself (issuer, audience, times), not by a condition.", claim)
		case !ok:
			return nil, fmt.Errorf("%s: Expected a text pattern.", claim)
		case utf8.RuneCountInString(pattern) > maxClaimPatternLen:
			return nil, fmt.Errorf("%s: a pattern has at most %d characters.", claim, maxClaimPatternLen)
		case strings.Trim(pattern, "*?") == "":
			return nil, fmt.Errorf("%s: a pattern of wildcards only matches anyone.", claim)
		}
		if _, err := path.Match(pattern, ""); err != nil {
			return nil, fmt.Errorf("%s: %q is not a valid glob.", claim, pattern)
		}
		out[claim] = pattern
	}
	return out, nil
}

// claimText is a claim's value as conditions compare it: strings as they
// are, booleans and numbers as JSON writes them; anything else (lists,
// objects, a missing claim) matches no condition.
func claimText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}

// conditionsMatch tells whether every condition matches its claim.
func conditionsMatch(conds map[string]string, claims map[string]any) bool {
	for claim, pattern := range conds {
		text, ok := claimText(claims[claim])
		if !ok {
			return false
		}
		if matched, err := path.Match(pattern, text); err != nil || !matched {
			return false
		}
	}
	return true
}
