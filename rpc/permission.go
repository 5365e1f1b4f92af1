package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// Permission is the Permission namespace: the catalogue of labels.
type Permission struct{ s *Server }

var permissionMethods = []Method{
	{Name: "Permission.filter", Access: Perms, Perms: []string{"auth.view_permission"}, Global: true, Returns: "array",
		Doc: "Permissions matching the query as {id, name, content_type__app_label, codename, label}, by label; no query lists all. Filterable: id, name, codename, content_type__app_label, label, group, group__name, user."},
	{Name: "Permission.export", Access: Perms, Perms: []string{"auth.view_user"}, Returns: "array",
		Doc: `Who may do what: one row per (user, label) of the place the call addresses, by username and label, as {username, email, is_active, is_superuser, permission, source ("direct", "group:<name>" or "superuser"), tenant ("" at the public address)}. At the public address every account's global labels, inside a tenant those its groups give its authorised users; inactive users' labels are listed with is_active false. Filterable: user, username, email, is_active, is_superuser, permission, source. tcms export-permissions writes the same as CSV.`},
}

// Filter answers Permission.filter.
func (p *Permission) Filter(r *http.Request, args *OptQueryArgs, reply *[]store.PermissionRow) (err error) {
	*reply, err = p.s.store.FilterPermissions(r.Context(), args.Query)
	return err
}

// Export answers Permission.export.
func (p *Permission) Export(r *http.Request, args *OptQueryArgs, reply *[]store.Granted) (err error) {
	*reply, err = p.s.store.ExportPermissions(r.Context(), args.Query)
	return err
}
