package store

import (
	"context"

	"github.com/tcms/tcms/store/internal/db"
)

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

var grantedEntity = entity(&Entity{Model: "PermissionExport", From: "FROM user_labels x", Fields: map[string]Field{
	"username": {Expr: "x.username", Kind: TextField},
	"email":    {Expr: "x.email", Kind: TextField}, "is_active": {Expr: "x.is_active", Kind: BoolField},
	"is_superuser": {Expr: "x.is_superuser", Kind: BoolField}, "permission": {Expr: "x.permission", Kind: TextField},
	"source": {Expr: "x.source", Kind: TextField},
}, Relations: map[string]Relation{"user": {Expr: "x.user_id", To: "RelatedUser"}}})

// ExportPermissions answers a Kiwi query dict over every (user, label) of
// the context's place, by username and label, without a transaction: at
// the public address every user's global labels, inside a tenant those of
// its authorised users there.
func (s *Store) ExportPermissions(ctx context.Context, query map[string]any) ([]Granted, error) {
	if TenantOf(ctx) != "" {
		return filterRows(ctx, s, grantedEntity, query, (*db.Queries).PermissionExportTenant,
			func(r db.TenantUserLabel) Granted { return Granted(r) })
	}
	return filterRows(ctx, s, grantedEntity, query, (*db.Queries).PermissionExport, func(r db.UserLabel) Granted { return Granted(r) })
}

// TenantSchemas lists every tenant's schema, oldest first.
func (s *Store) TenantSchemas(ctx context.Context) ([]string, error) {
	out, err := s.q.TenantSchemas(WithTenant(ctx, ""))
	return out, translate(err, "Tenant")
}
