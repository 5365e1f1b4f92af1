package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// Trust policies (issue 20) say which CI identities may act as which user
// through Auth.exchange_oidc. They are shared rows, scoped by address: at
// the public address superusers manage them all; at a tenant's address
// the holders of the tcms.*_trustpolicy labels there manage the policies
// that name that tenant, and every policy they make names it.

// TrustPolicy is a policy as TrustPolicy.filter shows it.
type TrustPolicy struct {
	ID         int64             `json:"id" db:"id"`
	Issuer     string            `json:"issuer" db:"issuer"`
	Audience   string            `json:"audience" db:"audience"`
	Conditions map[string]string `json:"conditions" db:"conditions"`
	User       int64             `json:"user" db:"user_id"`
	Username   string            `json:"user__username" db:"username"`
	Tenant     *string           `json:"tenant" db:"tenant"`
	MaxSession int32             `json:"max_session" db:"max_session"`
	CreatedAt  time.Time         `json:"created_at" db:"created_at"`
	CreatedBy  *int64            `json:"created_by" db:"created_by_id"`
}

// TrustPolicyValues are the fields a caller sets. User is an id or a
// username; Tenant a schema name (nil: none at the public address, the
// current tenant at a tenant's address).
type TrustPolicyValues struct {
	Issuer     string
	Audience   string
	Conditions map[string]string
	User       any
	Tenant     *string
	MaxSession int32
}

// DefaultMaxSession is a policy's max_session when none is given, in seconds.
const DefaultMaxSession = 3600

var trustPolicyEntity = entity(&Entity{Model: "TrustPolicy", From: "FROM trust_policies tp", Fields: map[string]Field{
	"id": {Expr: "tp.id", Kind: IntField}, "issuer": {Expr: "tp.issuer", Kind: TextField},
	"audience":    {Expr: "tp.audience", Kind: TextField},
	"tenant":      {Expr: "t.schema_name", Kind: TextField, Join: "LEFT JOIN tenants t ON t.id = tp.tenant_id"},
	"max_session": {Expr: "tp.max_session", Kind: IntField}, "created_at": {Expr: "tp.created_at", Kind: TimeField},
}, Relations: map[string]Relation{
	"user": {Expr: "tp.user_id", To: "RelatedUser"}, "created_by": {Expr: "tp.created_by_id", To: "RelatedUser"},
}})

// errPublicPolicies refuses non-superusers at the public address.
var errPublicPolicies = Errorf(Forbidden, "At the public address only superusers manage trust policies; a tenant's administrators manage its policies at the tenant's address.")

// mayManagePolicies refuses callers who may not manage policies where the
// call is made. The labels were checked before.
func mayManagePolicies(ctx context.Context, by Principal) error {
	if TenantOf(ctx) == "" && !by.IsSuperuser {
		return errPublicPolicies
	}
	return nil
}

// FilterTrustPolicies answers a Kiwi query dict over the policies in scope.
func (s *Store) FilterTrustPolicies(ctx context.Context, by Principal, query map[string]any) ([]TrustPolicy, error) {
	if err := mayManagePolicies(ctx, by); err != nil {
		return nil, err
	}
	rows, err := filtered(s.pool, trustPolicyEntity, query).TrustPolicyFilter(ctx)
	return trustPolicies(rows, err)
}

// CreateTrustPolicy adds a policy; see bindPolicy for whom it may bind.
func (s *Store) CreateTrustPolicy(ctx context.Context, by Principal, v TrustPolicyValues) (TrustPolicy, error) {
	if err := mayManagePolicies(ctx, by); err != nil {
		return TrustPolicy{}, err
	}
	var tp TrustPolicy
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
		b, err := s.bindPolicy(ctx, q, by, v)
		if err != nil {
			return err
		}
		id, err := q.TrustPolicyCreate(ctx, db.TrustPolicyCreateParams{Issuer: v.Issuer, Audience: v.Audience,
			Conditions: b.conditions, UserID: b.user, TenantID: b.tenant, MaxSession: v.MaxSession, CreatedByID: nonZero(by.UserID)})
		if err != nil {
			return err
		}
		tp, err = trustPolicy(ctx, tx, id)
		return err
	})
	return tp, translate(err, "TrustPolicy")
}

// UpdateTrustPolicy changes a policy in scope: edit gets its current
// values (User an id) and changes them; the result is checked as
// CreateTrustPolicy checks new ones.
func (s *Store) UpdateTrustPolicy(ctx context.Context, by Principal, id int64, edit func(*TrustPolicyValues) error) (TrustPolicy, error) {
	if err := mayManagePolicies(ctx, by); err != nil {
		return TrustPolicy{}, err
	}
	var tp TrustPolicy
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
		row, err := q.TrustPolicyGet(ctx, id)
		if err != nil {
			return err
		}
		v := TrustPolicyValues{Issuer: row.Issuer, Audience: row.Audience, User: row.UserID, Tenant: row.Tenant, MaxSession: row.MaxSession}
		if err := json.Unmarshal(row.Conditions, &v.Conditions); err != nil {
			return err
		}
		if err := edit(&v); err != nil {
			return err
		}
		b, err := s.bindPolicy(ctx, q, by, v)
		if err != nil {
			return err
		}
		err = q.TrustPolicySet(ctx, db.TrustPolicySetParams{ID: id, Issuer: v.Issuer, Audience: v.Audience,
			Conditions: b.conditions, UserID: b.user, TenantID: b.tenant, MaxSession: v.MaxSession})
		if err != nil {
			return err
		}
		tp, err = trustPolicy(ctx, tx, id)
		return err
	})
	return tp, translate(err, "TrustPolicy")
}

// RemoveTrustPolicy deletes a policy in scope.
func (s *Store) RemoveTrustPolicy(ctx context.Context, by Principal, id int64) error {
	if err := mayManagePolicies(ctx, by); err != nil {
		return err
	}
	n, err := s.q.TrustPolicyDelete(ctx, id)
	if err == nil && n == 0 {
		err = pgx.ErrNoRows
	}
	return translate(err, "TrustPolicy")
}

// trustPolicy reads a policy in scope as TrustPolicy.filter shows it.
func trustPolicy(ctx context.Context, tx pgx.Tx, id int64) (TrustPolicy, error) {
	rows, err := trustPolicies(filtered(tx, trustPolicyEntity, map[string]any{"id": id}).TrustPolicyFilter(ctx))
	return onlyRow(rows, err, "TrustPolicy")
}

// trustPolicies turns the rows of TrustPolicyFilter into policies.
func trustPolicies(rows []db.TrustPolicyFilterRow, err error) ([]TrustPolicy, error) {
	if err != nil {
		return nil, trustPolicyEntity.translate(err)
	}
	out := make([]TrustPolicy, len(rows))
	for i, r := range rows {
		out[i] = TrustPolicy{ID: r.ID, Issuer: r.Issuer, Audience: r.Audience, User: r.UserID, Username: r.Username,
			Tenant: r.Tenant, MaxSession: r.MaxSession, CreatedAt: r.CreatedAt, CreatedBy: r.CreatedByID}
		if err := json.Unmarshal(r.Conditions, &out[i].Conditions); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// boundPolicy is what bindPolicy resolved.
type boundPolicy struct {
	user       int64
	tenant     *int64
	conditions []byte
}

// bindPolicy resolves and checks the user and tenant of a policy:
//   - at a tenant's address the policy names that tenant, and no other;
//   - the user is active and, when the policy names a tenant, authorised
//     for it;
//   - a caller who is not a superuser binds no superuser, and only a user
//     whose labels it holds itself, both in the tenant (tenant groups) and
//     globally (shared groups and direct grants): a CI job acting as the
//     user can do nothing its policy's author could not.
func (s *Store) bindPolicy(ctx context.Context, q *db.Queries, by Principal, v TrustPolicyValues) (boundPolicy, error) {
	var b boundPolicy
	here := TenantOf(ctx)
	if here != "" {
		if v.Tenant != nil && *v.Tenant != here {
			return b, Errorf(Invalid, "tenant: at the address of tenant %s a policy can only name %s.", here, here)
		}
		v.Tenant = nil // the current tenant
	}
	if here != "" || v.Tenant != nil {
		id, err := q.TrustPolicyTenant(ctx, v.Tenant)
		if errors.Is(err, pgx.ErrNoRows) {
			return b, Errorf(Invalid, "tenant: no tenant %q.", *v.Tenant)
		}
		if err != nil {
			return b, err
		}
		b.tenant = &id
	}
	ids, err := resolveUsers(ctx, q, []any{v.User})
	if err != nil {
		return b, err
	}
	b.user = ids[0]
	u, err := q.TrustPolicyBindable(ctx, db.TrustPolicyBindableParams{UserID: b.user, TenantID: b.tenant})
	switch {
	case err != nil:
		return b, err
	case !u.IsActive:
		return b, Errorf(Invalid, "user: %s is not active.", u.Username)
	case !u.Authorized:
		return b, Errorf(Invalid, "user: %s is not authorised for the policy's tenant.", u.Username)
	}
	if !by.IsSuperuser && by.UserID != b.user {
		if err := s.mayBind(ctx, q, by, b.user); err != nil {
			return b, err
		}
	}
	b.conditions, err = json.Marshal(v.Conditions)
	return b, err
}

// mayBind refuses a caller who is not a superuser (so is at a tenant's
// address) binding a superuser, or a user holding a label the caller
// lacks: globally, as a session at the tenant's address reaches the
// global methods too, or in the tenant (escalation.go's rule for acting
// as someone else, within the one tenant where the sessions work).
func (s *Store) mayBind(ctx context.Context, q *db.Queries, by Principal, userID int64) error {
	global, err := s.held(WithTenant(ctx, ""), by)
	if err != nil {
		return err
	}
	g, err := q.UserGuard(ctx, db.UserGuardParams{Held: global, UserIds: []int64{userID}})
	switch {
	case err != nil:
		return err
	case g.IsSuperuser:
		return Errorf(Forbidden, "user: only a superuser can bind a policy to the superuser %s.", g.Username)
	case g.Beyond != "":
		return Errorf(Forbidden, "user: %s holds %s globally, which you do not; a policy can only bind users whose permissions you hold.", g.Username, g.Beyond)
	}
	theirs, err := q.TenantUserAccess(ctx, userID)
	if err != nil {
		return err
	}
	ours, err := s.held(ctx, by)
	if err != nil {
		return err
	}
	if l := firstMissing(theirs.Labels, ours); l != "" {
		return Errorf(Forbidden, "user: %s holds %s in this tenant, which you do not; a policy can only bind users whose permissions you hold.", g.Username, l)
	}
	return nil
}

// PolicyCandidate is a policy Auth.exchange_oidc may apply at the
// current address.
type PolicyCandidate struct {
	ID         int64
	Audience   string
	Conditions map[string]string
	UserID     int64
	Username   string
	Superuser  bool
	TenantID   *int64 // nil: the session is valid wherever its user may work
	Tenant     string // the schema of TenantID
	MaxSession time.Duration
}

// TrustPolicyCandidates lists, oldest first, the policies of an issuer
// that may start a session at the current address: those naming no
// tenant and those naming the current one, with an active user. One
// statement, no transaction.
func (s *Store) TrustPolicyCandidates(ctx context.Context, issuer string) ([]PolicyCandidate, error) {
	rows, err := s.q.TrustPolicyCandidates(ctx, issuer)
	if err != nil {
		return nil, translate(err, "TrustPolicy")
	}
	out := make([]PolicyCandidate, len(rows))
	for i, r := range rows {
		out[i] = PolicyCandidate{ID: r.ID, Audience: r.Audience, UserID: r.UserID, Username: r.Username, Superuser: r.IsSuperuser,
			TenantID: r.TenantID, MaxSession: time.Duration(r.MaxSession) * time.Second}
		if r.Tenant != nil {
			out[i].Tenant = *r.Tenant
		}
		if err := json.Unmarshal(r.Conditions, &out[i].Conditions); err != nil {
			return nil, err
		}
	}
	return out, nil
}
