package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// TenantGroup is the TenantGroup namespace: the groups of the tenant the
// call addresses, which give users their permissions inside it.
type TenantGroup struct{ s *Server }

var tenantGroupMethods = []Method{
	{Name: "TenantGroup.filter", Access: Perms, Perms: []string{"tenant_groups.view_group"}, Returns: "array",
		Doc: "The tenant's groups matching the query as {id, name, permissions (labels), users (ids)}, by id. Filterable: id, name, permissions, users."},
	{Name: "TenantGroup.create", Access: Perms, Perms: []string{"tenant_groups.add_group"}, Returns: "struct",
		Doc: "Adds a group {name} to the tenant and returns it as TenantGroup.filter does."},
	{Name: "TenantGroup.add_permission", Access: Perms, Perms: []string{"tenant_groups.change_group"}, Returns: "nil",
		Doc: "Grants a label or a list of labels to a tenant group. A non-superuser grants only labels it holds in the tenant."},
	{Name: "TenantGroup.remove_permission", Access: Perms, Perms: []string{"tenant_groups.change_group"}, Returns: "nil",
		Doc: "Takes a label or a list of labels from a tenant group."},
	{Name: "TenantGroup.add_user", Access: Perms, Perms: []string{"tenant_groups.change_group"}, Returns: "nil",
		Doc: "Makes users (an id, a username or a list of them) authorised for the tenant members of a tenant group; the caller must hold every label of the group in the tenant."},
	{Name: "TenantGroup.remove_user", Access: Perms, Perms: []string{"tenant_groups.change_group"}, Returns: "nil",
		Doc: "Takes users (an id, a username or a list of them) out of a tenant group."},
}

// Filter answers TenantGroup.filter.
func (g *TenantGroup) Filter(r *http.Request, args *OptQueryArgs, reply *[]store.TenantGroup) (err error) {
	*reply, err = g.s.store.FilterTenantGroups(r.Context(), args.Query)
	return err
}

// Create answers TenantGroup.create.
func (g *TenantGroup) Create(r *http.Request, args *ValuesArgs, reply *store.TenantGroup) error {
	f := newForm(args.Values)
	name := f.text("name", true, 150)
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = g.s.store.CreateTenantGroup(r.Context(), name)
	return err
}

// AddPermission answers TenantGroup.add_permission.
func (g *TenantGroup) AddPermission(r *http.Request, args *GroupPermissionArgs, _ *any) error {
	return g.setPermissions(r, args, true)
}

// RemovePermission answers TenantGroup.remove_permission.
func (g *TenantGroup) RemovePermission(r *http.Request, args *GroupPermissionArgs, _ *any) error {
	return g.setPermissions(r, args, false)
}

func (g *TenantGroup) setPermissions(r *http.Request, args *GroupPermissionArgs, grant bool) error {
	ls, err := labels(args.Permissions)
	if err != nil {
		return err
	}
	return g.s.store.SetTenantGroupPermissions(r.Context(), *caller(r), args.GroupID, ls, grant)
}

// AddUser answers TenantGroup.add_user.
func (g *TenantGroup) AddUser(r *http.Request, args *GroupUserArgs, _ *any) error {
	return g.setMembers(r, args, true)
}

// RemoveUser answers TenantGroup.remove_user.
func (g *TenantGroup) RemoveUser(r *http.Request, args *GroupUserArgs, _ *any) error {
	return g.setMembers(r, args, false)
}

func (g *TenantGroup) setMembers(r *http.Request, args *GroupUserArgs, add bool) error {
	users, err := refs("user_ids", args.Users)
	if err != nil {
		return err
	}
	return g.s.store.SetTenantGroupUsers(r.Context(), *caller(r), args.GroupID, users, add)
}
