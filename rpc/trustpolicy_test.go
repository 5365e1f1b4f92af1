package rpc

import (
	"maps"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/rpc/oidc"
	"github.com/tcms/tcms/rpc/oidc/oidctest"
	"github.com/tcms/tcms/store"
)

// oidcBed is a tenantBed with a fake OIDC issuer the server may reach
// over http, and ci-bot, a user authorised for tenant a (Tester there).
type oidcBed struct {
	tenantBed
	iss *oidctest.Issuer
	db  *pgx.Conn
}

func mustOIDCBed(t *testing.T) oidcBed {
	t.Helper()
	iss := oidctest.New(t)
	b := oidcBed{iss: iss, tenantBed: mustTenantBed(t, func(c *Config) {
		c.OIDC = oidc.Config{InsecureIssuers: []string{iss.URL}, UnknownKeyInterval: time.Millisecond}
	})}
	if _, err := b.Store.CreateUser(t.Context(), store.System, store.NewUser{Username: "ci-bot", Password: "ci-bot-pass", Email: "bot@example.com"}); err != nil {
		t.Fatal(err)
	}
	result(t, b.aliceA("Tenant.add_authorized_user", "ci-bot"), new(any))
	b.db = b.mustDB()
	return b
}

// policy returns the values of a policy of the bed's issuer for ci-bot,
// audience tcms, repository acme/shop, with changes.
func (b oidcBed) policy(changes map[string]any) map[string]any {
	v := map[string]any{"issuer": b.iss.URL, "audience": "tcms", "conditions": map[string]any{"repository": "acme/shop"}, "user": "ci-bot"}
	maps.Copy(v, changes)
	return v
}

// policyRow is a trust policy as the wire shows it (datetimes in Kiwi's
// zone-less form).
type policyRow struct {
	store.TrustPolicy
	CreatedAt string `json:"created_at"`
}

func (b oidcBed) policyCount(t *testing.T) string {
	t.Helper()
	return sqlText(t, b.db, "SELECT count(*) FROM trust_policies")
}

func TestTrustPolicy(t *testing.T) {
	b := mustOIDCBed(t)
	publicAdmin := b.at("/t/public", adminName, adminPass)
	var created policyRow

	t.Run("OK", func(t *testing.T) {
		result(t, b.aliceA("TrustPolicy.create", b.policy(map[string]any{"max_session": 600})), &created)
		if created.ID == 0 || created.Tenant == nil || *created.Tenant != "a" || created.Username != "ci-bot" ||
			created.MaxSession != 600 || created.Conditions["repository"] != "acme/shop" || created.CreatedBy == nil || created.CreatedAt == "" {
			t.Fatalf("created %+v", created)
		}
		var listed []policyRow
		result(t, b.aliceA("TrustPolicy.filter", map[string]any{"user__username": "ci-bot"}), &listed)
		if len(listed) != 1 || listed[0].ID != created.ID {
			t.Fatalf("listed %+v", listed)
		}
		var updated policyRow
		result(t, b.aliceA("TrustPolicy.update", created.ID, map[string]any{"conditions": map[string]any{"project_path": "acme/*"}}), &updated)
		if updated.Conditions["project_path"] != "acme/*" || len(updated.Conditions) != 1 || updated.MaxSession != 600 {
			t.Fatalf("updated %+v", updated)
		}
	})
	t.Run("OKSuperuserAtPublic", func(t *testing.T) {
		var global, bound policyRow
		result(t, publicAdmin("TrustPolicy.create", b.policy(map[string]any{"user": "tester"})), &global)
		result(t, publicAdmin("TrustPolicy.create", b.policy(map[string]any{"tenant": "a"})), &bound)
		if global.Tenant != nil || bound.Tenant == nil || *bound.Tenant != "a" || global.MaxSession != store.DefaultMaxSession {
			t.Fatalf("global %+v, bound %+v", global, bound)
		}
		if n := rowCount(t, publicAdmin("TrustPolicy.filter")); n != 3 {
			t.Fatalf("a superuser at the public address sees %d policies, want all 3", n)
		}
		if n := rowCount(t, b.aliceA("TrustPolicy.filter")); n != 2 {
			t.Fatalf("tenant a sees %d policies, want its 2", n)
		}
		result(t, publicAdmin("TrustPolicy.remove", global.ID), new(any))
		result(t, publicAdmin("TrustPolicy.remove", bound.ID), new(any))
	})
	t.Run("ErrOtherTenant", func(t *testing.T) {
		if n := rowCount(t, b.bobB("TrustPolicy.filter")); n != 0 {
			t.Fatalf("tenant b sees %d of a's policies", n)
		}
		wantFault(t, b.bobB("TrustPolicy.update", created.ID, map[string]any{"audience": "x"}), CodeInternal, "Internal error: TrustPolicy matching query does not exist.")
		wantFault(t, b.bobB("TrustPolicy.remove", created.ID), CodeInternal, "Internal error: TrustPolicy matching query does not exist.")
		wantFault(t, b.aliceA("TrustPolicy.create", b.policy(map[string]any{"tenant": "b"})), CodeInternal,
			"Internal error: tenant: at the address of tenant a a policy can only name a.")
		wantFault(t, b.aliceA("TrustPolicy.update", created.ID, map[string]any{"tenant": "b"}), CodeInternal,
			"Internal error: tenant: at the address of tenant a a policy can only name a.")
		if n := b.policyCount(t); n != "1" {
			t.Fatalf("%s policies", n)
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		before := b.policyCount(t)
		wantFault(t, b.bobA("TrustPolicy.create", b.policy(nil)), CodeAuth, `Authentication failed when calling "TrustPolicy.create": permission tcms.add_trustpolicy required`)
		wantFault(t, b.bobA("TrustPolicy.remove", created.ID), CodeAuth, `Authentication failed when calling "TrustPolicy.remove": permission tcms.delete_trustpolicy required`)
		wantFault(t, b.at("/t/a", "", "")("TrustPolicy.filter"), CodeAuth, `Authentication failed when calling "TrustPolicy.filter"`)
		// Global labels do not make a non-superuser a manager of every policy.
		result(t, publicAdmin("User.add_permission", userName, []any{"tcms.add_trustpolicy", "tcms.view_trustpolicy"}), new(any))
		tester := b.at("/t/public", userName, userPass)
		msg := "Internal error: At the public address only superusers manage trust policies"
		wantFault(t, tester("TrustPolicy.create", b.policy(map[string]any{"user": userName})), CodeInternal, msg)
		wantFault(t, tester("TrustPolicy.filter"), CodeInternal, msg)
		if n := b.policyCount(t); n != before {
			t.Fatalf("%s policies, want %s", n, before)
		}
	})
	t.Run("ErrEscalation", func(t *testing.T) {
		before := b.policyCount(t)
		// alice, the owner of a, cannot bind a superuser, a user outside a,
		// or one holding a global label she lacks.
		wantFault(t, b.aliceA("TrustPolicy.create", b.policy(map[string]any{"user": adminName})), CodeInternal,
			"Internal error: user: only a superuser can bind a policy to the superuser admin.")
		wantFault(t, b.aliceA("TrustPolicy.create", b.policy(map[string]any{"user": "carol"})), CodeInternal,
			"Internal error: user: carol is not authorised for the policy's tenant.")
		result(t, publicAdmin("User.add_permission", "ci-bot", "auth.change_user"), new(any))
		wantFault(t, b.aliceA("TrustPolicy.create", b.policy(nil)), CodeInternal,
			"Internal error: user: ci-bot holds auth.change_user globally, which you do not")
		wantFault(t, b.aliceA("TrustPolicy.update", created.ID, map[string]any{"max_session": 60}), CodeInternal,
			"Internal error: user: ci-bot holds auth.change_user globally")
		result(t, publicAdmin("User.remove_permission", "ci-bot", "auth.change_user"), new(any))
		// bob may make policies in a, but holds only Tester's labels there:
		// he may bind ci-bot (a Tester too), not alice (an Administrator).
		var g store.TenantGroup
		result(t, b.aliceA("TenantGroup.create", map[string]any{"name": "policy makers"}), &g)
		result(t, b.aliceA("TenantGroup.add_permission", g.ID, []any{"tcms.add_trustpolicy", "tcms.view_trustpolicy"}), new(any))
		result(t, b.aliceA("TenantGroup.add_user", g.ID, "bob"), new(any))
		wantFault(t, b.bobA("TrustPolicy.create", b.policy(map[string]any{"user": "alice"})), CodeInternal,
			"Internal error: user: alice holds ")
		if n := b.policyCount(t); n != before {
			t.Fatalf("%s policies, want %s", n, before)
		}
		var p policyRow
		result(t, b.bobA("TrustPolicy.create", b.policy(nil)), &p)
		result(t, b.aliceA("TrustPolicy.remove", p.ID), new(any))
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		before := b.policyCount(t)
		for _, c := range []struct {
			values map[string]any
			msg    string
		}{
			{map[string]any{"issuer": nil, "audience": ""}, `Internal error: [('issuer', ['This field is required.']), ('audience', ['This field is required.'])]`},
			{map[string]any{"issuer": "http://gitlab.example.com"}, `Internal error: [('issuer', ['issuer "http://gitlab.example.com": must be https`},
			{map[string]any{"issuer": "gitlab.com"}, `Internal error: [('issuer', ['issuer "gitlab.com": want an absolute URL`},
			{map[string]any{"conditions": map[string]any{}}, `Internal error: [('conditions', ['Expected a struct of claim patterns, at least one`},
			{map[string]any{"conditions": "acme/shop"}, `Internal error: [('conditions', ['Expected a struct of claim patterns`},
			{map[string]any{"conditions": map[string]any{"repository": "*"}}, `Internal error: [('conditions', ['repository: a pattern of wildcards only matches anyone.'])]`},
			{map[string]any{"conditions": map[string]any{"aud": "tcms"}}, `Internal error: [('conditions', ['"aud" is checked by the policy itself`},
			{map[string]any{"conditions": map[string]any{"ref": "refs/[heads"}}, `Internal error: [('conditions', ['ref: "refs/[heads" is not a valid glob.'])]`},
			{map[string]any{"conditions": map[string]any{"run_attempt": 1}}, `Internal error: [('conditions', ['run_attempt: Expected a text pattern.'])]`},
			{map[string]any{"max_session": 59}, `Internal error: [('max_session', ['Ensure this value is between 60 and 86400 seconds.'])]`},
			{map[string]any{"max_session": 86401}, `Internal error: [('max_session', ['Ensure this value is between 60 and 86400 seconds.'])]`},
			{map[string]any{"user": []any{"ci-bot"}}, `Internal error: [('user', ['Expected a user id or username.'])]`},
			{map[string]any{"user": "nobody"}, `Internal error: Unknown user: "nobody"`},
			{map[string]any{"repository": "acme/shop"}, `Internal error: Unknown field "repository"; a trust policy has issuer, audience, conditions, user, tenant, max_session.`},
		} {
			wantFault(t, b.aliceA("TrustPolicy.create", b.policy(c.values)), CodeInternal, c.msg)
		}
		wantFault(t, publicAdmin("TrustPolicy.create", b.policy(map[string]any{"tenant": "nosuch"})), CodeInternal, `Internal error: tenant: no tenant "nosuch".`)
		wantFault(t, b.aliceA("TrustPolicy.update", 999999, map[string]any{"audience": "x"}), CodeInternal, "Internal error: TrustPolicy matching query does not exist.")
		wantFault(t, b.aliceA("TrustPolicy.filter", map[string]any{"conditions": "x"}), CodeInternal, "Internal error: Cannot resolve keyword 'conditions' into field.")
		if n := b.policyCount(t); n != before {
			t.Fatalf("%s policies, want %s", n, before)
		}
	})
	t.Run("Remove", func(t *testing.T) {
		result(t, b.aliceA("TrustPolicy.remove", created.ID), new(any))
		wantFault(t, b.aliceA("TrustPolicy.remove", created.ID), CodeInternal, "Internal error: TrustPolicy matching query does not exist.")
	})
}
