package store

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// errNotInTenant refuses tenant methods called at the public address.
var errNotInTenant = Errorf(Invalid, "This method works inside a tenant: call it at the tenant's address (<schema>.<domain> or the /t/<schema>/ prefix).")

// inTenant runs fn in a transaction of the context's tenant that tells
// every process to drop its cached permission sets on commit.
func (s *Store) inTenant(ctx context.Context, model, action string, fn func(tx pgx.Tx, q *db.Queries, log *changeLog) error) error {
	if TenantOf(ctx) == "" {
		return errNotInTenant
	}
	return s.changeGrantsTx(ctx, model, action, fn)
}

// tenantUserIDs resolves users by id or username, refusing any not
// authorised for the transaction's tenant exactly as an unknown one, so
// that a tenant's administrators learn nothing of other accounts.
func tenantUserIDs(ctx context.Context, q *db.Queries, refs []any) ([]int64, error) {
	ids, err := resolveUsers(ctx, q, refs)
	if err != nil {
		return nil, err
	}
	outsiders, err := q.TenantOutsiders(ctx, ids)
	if err != nil || len(outsiders) == 0 {
		return ids, err
	}
	return nil, unknownUser(refs[slices.Index(ids, outsiders[0])])
}

// tenantUsers refuses users not authorised for the transaction's tenant
// as if they did not exist.
func tenantUsers(ctx context.Context, q *db.Queries, ids []int64) error {
	outsiders, err := q.TenantOutsiders(ctx, ids)
	if err == nil && len(outsiders) > 0 {
		err = orNotFound(nil, "User")
	}
	return err
}

// defaultTenantGroups returns the ids of the tenant's groups named in
// DEFAULT_GROUPS, which users join when they are authorised.
func (s *Store) defaultTenantGroups(ctx context.Context, q *db.Queries) ([]int64, error) {
	rows, err := q.TenantGroupResolve(ctx, db.TenantGroupResolveParams{Names: s.defaultGroups})
	ids := make([]int64, len(rows))
	for i, g := range rows {
		ids[i] = g.ID
	}
	return ids, err
}

// SetTenantUsers authorises (add) users for the context's tenant, who
// then join its groups named in DEFAULT_GROUPS (so by must hold every label
// of those), or takes the authorisation and tenant group memberships away.
// The owner stays.
func (s *Store) SetTenantUsers(ctx context.Context, by Principal, users []any, add bool) error {
	held, err := s.held(ctx, by)
	if err != nil {
		return err
	}
	action := "Tenant.remove_authorized_user"
	if add {
		action = "Tenant.add_authorized_user"
	}
	return s.inTenant(ctx, "Tenant", action, func(_ pgx.Tx, q *db.Queries, log *changeLog) error {
		ids, err := resolveUsers(ctx, q, users)
		if err != nil {
			return err
		}
		if err := logUsers(ctx, q, log, ids, map[string]any{}); err != nil {
			return err
		}
		if add {
			return s.authorize(ctx, q, held, ids)
		}
		owner, err := q.TenantOwnerAmong(ctx, ids)
		if err == nil && owner {
			err = Errorf(Invalid, "The tenant's owner cannot be removed from it.")
		}
		if err != nil {
			return err
		}
		return q.TenantUnauthorize(ctx, ids)
	})
}

// authorize lets users work in the transaction's tenant and puts them in
// its default groups, whose labels held (nil: a superuser's) must cover.
func (s *Store) authorize(ctx context.Context, q *db.Queries, held []string, ids []int64) error {
	groups, err := s.defaultTenantGroups(ctx, q)
	if err != nil {
		return err
	}
	if err := mayJoinTenant(ctx, q, held, groups); err != nil {
		return err
	}
	if err := q.TenantAuthorize(ctx, ids); err != nil {
		return err
	}
	return q.TenantGroupJoinByName(ctx, db.TenantGroupJoinByNameParams{UserIds: ids, Names: s.defaultGroups})
}

// RemoveTenant deletes a tenant and drops its schema with all its data.
//
// In its place it leaves a tombstone: a schema of the same name holding a
// table without columns for every table the tenant had. A request that
// was routed to the tenant just before (or a connection still set to it)
// would otherwise find nothing in the schema and fall through to the
// public tenant's tables, which search_path names next; with the
// tombstone every such statement fails instead. Creating a tenant of the
// same name later replaces the tombstone.
func (s *Store) RemoveTenant(ctx context.Context, schema string) error {
	return s.changeGrantsTx(WithTenant(ctx, ""), "Tenant", "Tenant.remove", func(tx pgx.Tx, q *db.Queries, log *changeLog) error {
		name, err := q.TenantDelete(ctx, schema)
		if err != nil {
			return err
		}
		log.tenant = &name
		log.add(name, nil)
		tables, err := q.SchemaTables(ctx, name)
		if err != nil {
			return err
		}
		return burySchema(ctx, tx, name, tables)
	})
}

// tombstone marks the schema a removed tenant leaves behind.
const tombstone = "tcms: removed tenant"

// dropTombstone removes the tombstone of an earlier tenant of the name,
// if there is one; any other schema of the name stays (and creating the
// tenant then fails).
func dropTombstone(ctx context.Context, tx pgx.Tx, schema string) error {
	dead, err := db.New(tx).SchemaIsTombstone(ctx, db.SchemaIsTombstoneParams{Schema: schema, Mark: tombstone})
	if err == nil && dead {
		err = dropSchema(ctx, tx, schema)
	}
	return err
}

// TenantGroup is a group of the current tenant, as TenantGroup.filter
// shows it.
type TenantGroup struct {
	ID          int64    `json:"id" db:"id"`
	Name        string   `json:"name" db:"name"`
	Permissions []string `json:"permissions" db:"permissions"`
	Users       []int64  `json:"users" db:"users"`
}

var tenantGroupEntity = entity(&Entity{Model: "TenantGroup", From: "FROM tenant_groups g", Fields: map[string]Field{
	"id": {Expr: "g.id", Kind: IntField}, "name": {Expr: "g.name", Kind: TextField},
	"permissions": {Expr: "p.app_label || '.' || p.codename", Kind: TextField, Exists: "SELECT 1 FROM tenant_group_permissions gp JOIN permissions p ON p.id = gp.permission_id WHERE gp.group_id = g.id"},
}, Relations: map[string]Relation{
	"users": {Expr: "gu.user_id", Exists: "SELECT 1 FROM tenant_group_users gu WHERE gu.group_id = g.id", To: "RelatedUser"},
}})

// FilterTenantGroups answers a Kiwi query dict over the context's tenant
// groups, with their labels and member ids.
func (s *Store) FilterTenantGroups(ctx context.Context, query map[string]any) ([]TenantGroup, error) {
	if TenantOf(ctx) == "" {
		return nil, errNotInTenant
	}
	return filterRows(ctx, s, tenantGroupEntity, query, (*db.Queries).TenantGroupFilter,
		func(r db.TenantGroupFilterRow) TenantGroup { return TenantGroup(r) })
}

// CreateTenantGroup adds a group to the context's tenant.
func (s *Store) CreateTenantGroup(ctx context.Context, name string) (TenantGroup, error) {
	var g TenantGroup
	err := s.inTenant(ctx, "TenantGroup", "TenantGroup.create", func(_ pgx.Tx, q *db.Queries, log *changeLog) error {
		row, err := q.TenantGroupCreate(ctx, name)
		g = TenantGroup{ID: row.ID, Name: row.Name, Permissions: []string{}, Users: []int64{}}
		log.add(name, map[string]any{"group_id": row.ID})
		return err
	})
	return g, err
}

// SetTenantGroupPermissions grants or revokes labels of a tenant group; a
// non-superuser grants only labels it holds in the tenant.
func (s *Store) SetTenantGroupPermissions(ctx context.Context, by Principal, groupID int64, labels []string, grant bool) error {
	if grant {
		if err := s.mayGrant(ctx, by, labels); err != nil {
			return err
		}
	}
	return s.inTenant(ctx, "TenantGroup", grantAction("TenantGroup", grant), func(_ pgx.Tx, q *db.Queries, log *changeLog) error {
		name, err := tenantGroupName(ctx, q, groupID)
		if err != nil {
			return err
		}
		ids, err := permissionIDs(ctx, q, labels)
		if err != nil {
			return err
		}
		log.add(name, map[string]any{"group_id": groupID, "permissions": labels})
		if grant {
			return q.TenantGroupGrant(ctx, db.TenantGroupGrantParams{GroupID: groupID, PermissionIds: ids})
		}
		return q.TenantGroupRevoke(ctx, db.TenantGroupRevokeParams{GroupID: groupID, PermissionIds: ids})
	})
}

// SetTenantGroupUsers adds (add) users authorised for the tenant to a
// tenant group, whose every label by must hold in the tenant, or takes
// users out of it. (The owner holds every label whatever its groups.)
func (s *Store) SetTenantGroupUsers(ctx context.Context, by Principal, groupID int64, users []any, add bool) error {
	held, err := s.held(ctx, by)
	if err != nil {
		return err
	}
	action := "TenantGroup.remove_user"
	if add {
		action = "TenantGroup.add_user"
	}
	return s.inTenant(ctx, "TenantGroup", action, func(_ pgx.Tx, q *db.Queries, log *changeLog) error {
		name, err := tenantGroupName(ctx, q, groupID)
		if err != nil {
			return err
		}
		ids, err := tenantUserIDs(ctx, q, users)
		if err != nil {
			return err
		}
		if err := logUsers(ctx, q, log, ids, map[string]any{"group": name}); err != nil {
			return err
		}
		if add {
			if err := mayJoinTenant(ctx, q, held, []int64{groupID}); err != nil {
				return err
			}
			_, err = q.TenantGroupAddUsers(ctx, db.TenantGroupAddUsersParams{GroupID: groupID, UserIds: ids})
			return err
		}
		return q.TenantGroupRemoveUsers(ctx, db.TenantGroupRemoveUsersParams{GroupID: groupID, UserIds: ids})
	})
}

// tenantGroupName returns the name of a group of the transaction's tenant.
func tenantGroupName(ctx context.Context, q *db.Queries, id int64) (string, error) {
	rows, err := q.TenantGroupResolve(ctx, db.TenantGroupResolveParams{Ids: []int64{id}})
	g, err := onlyRow(rows, err, "TenantGroup")
	return g.Name, err
}
