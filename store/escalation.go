package store

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// No escalation (docs/permissions.md): a caller who is not a superuser hands
// out only what it holds itself, in the same scope, and changes no
// superuser. These helpers are the whole rule; every method that grants
// labels, adds members to groups or changes accounts goes through them.

// errSuperuserOnly refuses to a non-superuser what only superusers do.
var errSuperuserOnly = Errorf(Forbidden, "Only a superuser can create or change superusers, or set is_staff or is_superuser.")

// held returns the labels by holds in the context's scope, sorted, or nil
// for a superuser, who holds every label.
func (s *Store) held(ctx context.Context, by Principal) ([]string, error) {
	if by.IsSuperuser {
		return nil, nil
	}
	p, err := s.permissions(ctx, by.UserID)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(p.set))
	for l := range p.set {
		out = append(out, l)
	}
	slices.Sort(out)
	return out, nil
}

// mayGrant refuses a non-superuser granting a label it does not hold in
// the context's scope.
func (s *Store) mayGrant(ctx context.Context, by Principal, labels []string) error {
	for _, l := range labels {
		if !KnownPermission(l) {
			return Errorf(Invalid, "Unknown permission: %q", l)
		}
	}
	missing, err := s.MissingPermission(ctx, by, labels)
	if err == nil && missing != "" {
		err = Errorf(Forbidden, "You cannot grant a permission you do not hold: %s", missing)
	}
	return err
}

// mayJoin refuses putting anyone in shared groups (by id) that hold a label
// outside held, unbound or as an object grant; nil held is a superuser's.
func mayJoin(ctx context.Context, q *db.Queries, held []string, groupIDs []int64) error {
	if held == nil {
		return nil
	}
	beyond, err := q.GroupLabelsBeyond(ctx, db.GroupLabelsBeyondParams{GroupIds: groupIDs, Held: held})
	return joinRefusal(beyond, err)
}

// mayJoinTenant is mayJoin for groups of the transaction's tenant.
func mayJoinTenant(ctx context.Context, q *db.Queries, held []string, groupIDs []int64) error {
	if held == nil {
		return nil
	}
	beyond, err := q.TenantGroupLabelsBeyond(ctx, db.TenantGroupLabelsBeyondParams{GroupIds: groupIDs, Held: held})
	return joinRefusal(beyond, err)
}

func joinRefusal(beyond string, err error) error {
	if err == nil && beyond != "" {
		err = Errorf(Forbidden, "You cannot put users in a group holding a permission you do not hold: %s", beyond)
	}
	return err
}

// guardUsers refuses a caller who is not a superuser acting on any of the
// users if one is a superuser; with outrank also if one holds a label
// (unbound or as an object grant) outside held, the caller's global labels,
// or works in a tenant where the caller is not authorised or holds less. outrank is for changes that let
// the caller act as the user: its password or email.
func (s *Store) guardUsers(ctx context.Context, tx pgx.Tx, by Principal, held []string, ids []int64, outrank bool) error {
	if by.IsSuperuser || len(ids) == 0 {
		return nil
	}
	q := s.q.WithTx(tx)
	if !outrank {
		held = Catalogue()
	}
	g, err := q.UserGuard(ctx, db.UserGuardParams{Held: held, UserIds: ids})
	switch {
	case err != nil:
		return err
	case g.IsSuperuser:
		return Errorf(Forbidden, "Only a superuser can change the superuser %s.", g.Username)
	case g.Beyond != "":
		return Errorf(Forbidden, "You cannot change %s: it holds %s, which you do not.", g.Username, g.Beyond)
	case !outrank:
		return nil
	}
	for _, id := range ids {
		if err := s.outranksInTenants(ctx, tx, q, by, id); err != nil {
			return err
		}
	}
	return inSchema(ctx, tx, TenantOf(ctx), "")
}

// outranksInTenants refuses by unless, in every tenant the user id works in,
// by is authorised and holds unbound every label the user holds there,
// unbound or as an object grant.
func (s *Store) outranksInTenants(ctx context.Context, tx pgx.Tx, q *db.Queries, by Principal, id int64) error {
	schemas, err := q.UserTenants(ctx, id)
	if err != nil {
		return err
	}
	for _, schema := range schemas {
		if err := inSchema(ctx, tx, schema, ""); err != nil {
			return err
		}
		them, err := q.TenantUserAccess(ctx, id)
		if err != nil {
			return err
		}
		me, err := q.TenantUserAccess(ctx, by.UserID)
		if err != nil {
			return err
		}
		if !me.Authorized {
			return Errorf(Forbidden, "You cannot change user %d: it works in tenant %s, where you are not authorised.", id, schema)
		}
		grants, err := q.UserObjectGrantLabels(ctx, &id)
		if err != nil {
			return err
		}
		if missing := firstMissing(append(them.Labels, grants...), me.Labels); missing != "" {
			return Errorf(Forbidden, "You cannot change user %d: it holds %s in tenant %s, which you do not.", id, missing, schema)
		}
	}
	return nil
}
