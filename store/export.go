package store

import "context"

// Granted is one label one user holds, as Permission.export and `tcms
// export-permissions` list it: source is "direct", "group:<name>" or
// "superuser", tenant the schema of the place it holds in ("" for the
// public address). Labels of inactive users are listed, with is_active
// false: they apply again if the user is reactivated.
type Granted struct {
	UserID      int64  `json:"-" db:"user_id"`
	Username    string `json:"username" db:"username"`
	Email       string `json:"email" db:"email"`
	IsActive    bool   `json:"is_active" db:"is_active"`
	IsSuperuser bool   `json:"is_superuser" db:"is_superuser"`
	Permission  string `json:"permission" db:"permission"`
	Source      string `json:"source" db:"source"`
	Tenant      string `json:"tenant" db:"tenant"`
}

var grantedEntity = entity(&Entity{Model: "PermissionExport", From: "FROM (" + grantedSelect + ") x", Fields: map[string]Field{
	"username": {Expr: "x.username", Kind: TextField},
	"email":    {Expr: "x.email", Kind: TextField}, "is_active": {Expr: "x.is_active", Kind: BoolField},
	"is_superuser": {Expr: "x.is_superuser", Kind: BoolField}, "permission": {Expr: "x.permission", Kind: TextField},
	"source": {Expr: "x.source", Kind: TextField},
}, Relations: map[string]Relation{"user": {Expr: "x.user_id", To: "RelatedUser"}}})

// superuserLabels are a superuser's rows: every label.
const superuserLabels = `SELECT p.app_label || '.' || p.codename AS permission, 'superuser' AS source FROM permissions p WHERE u.is_superuser`

// grantedSelect is every (user, label) of the public address: superusers
// hold every label, others their direct and shared groups' labels.
const grantedSelect = `SELECT x.user_id, x.username, x.email, x.is_active, x.is_superuser, x.permission, x.source, x.tenant FROM (
	SELECT u.id AS user_id, u.username, u.email, u.is_active, u.is_superuser, l.permission, l.source, ''::text AS tenant
	FROM users u CROSS JOIN LATERAL (` + superuserLabels + `
		UNION ALL
		SELECT p.app_label || '.' || p.codename, 'direct' FROM user_permissions up JOIN permissions p ON p.id = up.permission_id
		WHERE up.user_id = u.id AND NOT u.is_superuser
		UNION ALL
		SELECT p.app_label || '.' || p.codename, 'group:' || g.name FROM user_groups ug JOIN groups g ON g.id = ug.group_id
		JOIN group_permissions gp ON gp.group_id = g.id JOIN permissions p ON p.id = gp.permission_id
		WHERE ug.user_id = u.id AND NOT u.is_superuser) l) x`

// tenantGrantedSelect is every (user, label) of the tenant of the current
// search_path: its authorised users, with the labels its groups give them.
const tenantGrantedSelect = `SELECT x.user_id, x.username, x.email, x.is_active, x.is_superuser, x.permission, x.source, x.tenant FROM (
	SELECT u.id AS user_id, u.username, u.email, u.is_active, u.is_superuser, l.permission, l.source, t.schema_name::text AS tenant
	FROM tenants t JOIN tenant_authorized_users a ON a.tenant_id = t.id JOIN users u ON u.id = a.user_id
	CROSS JOIN LATERAL (` + superuserLabels + `
		UNION ALL
		SELECT p.app_label || '.' || p.codename, 'group:' || g.name FROM tenant_group_users gu JOIN tenant_groups g ON g.id = gu.group_id
		JOIN tenant_group_permissions gp ON gp.group_id = g.id JOIN permissions p ON p.id = gp.permission_id
		WHERE gu.user_id = u.id AND NOT u.is_superuser) l
	WHERE t.schema_name = current_schema()) x`

// ExportPermissions answers a Kiwi query dict over every (user, label) of
// the context's place, by username and label, without a transaction: at
// the public address every user's global labels, inside a tenant those of
// its authorised users there.
func (s *Store) ExportPermissions(ctx context.Context, query map[string]any) ([]Granted, error) {
	sel := grantedSelect
	if TenantOf(ctx) != "" {
		sel = tenantGrantedSelect
	}
	rows, err := Select[Granted](ctx, s.pool, grantedEntity, sel, query, "ORDER BY x.username, x.permission, x.source")
	return rows, translate(err, "Permission")
}

// TenantSchemas lists every tenant's schema, oldest first.
func (s *Store) TenantSchemas(ctx context.Context) ([]string, error) {
	out, err := s.q.TenantSchemas(WithTenant(ctx, ""))
	return out, translate(err, "Tenant")
}
