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
}

// Filter answers Permission.filter.
func (p *Permission) Filter(r *http.Request, args *OptQueryArgs, reply *[]store.PermissionRow) (err error) {
	*reply, err = p.s.store.FilterPermissions(r.Context(), args.Query)
	return err
}
