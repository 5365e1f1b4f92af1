package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// Group is the Group namespace: Kiwi's three readers plus the
// provisioning methods scripts need. It manages the shared groups, so
// every method is Global: inside a tenant, TenantGroup manages its groups.
type Group struct{ s *Server }

var groupMethods = []Method{
	{Name: "Group.filter", Access: Perms, Perms: []string{"auth.view_group"}, Global: true, Returns: "array",
		Doc: "Groups matching the query ({id, name}), by id. Filterable: id, name, user, user__username, permissions__codename."},
	{Name: "Group.permissions", Access: Perms, Perms: []string{"auth.view_group"}, Global: true, Returns: "array",
		Doc: `The labels ("app_label.codename") granted to the group.`},
	{Name: "Group.users", Access: Perms, Perms: []string{"auth.view_group", "auth.view_user"}, Global: true, Returns: "array",
		Doc: "The group's members as {id, username}, by username."},
	{Name: "Group.create", Access: Perms, Perms: []string{"auth.add_group"}, Global: true, Returns: "struct",
		Doc: "Creates a group from {name} and returns {id, name}."},
	{Name: "Group.update", Access: Perms, Perms: []string{"auth.change_group"}, Global: true, Returns: "struct",
		Doc: "Renames a group ({name}); Administrator and Tester keep their names."},
	{Name: "Group.remove", Access: Perms, Perms: []string{"auth.delete_group"}, Global: true, Returns: "nil",
		Doc: "Deletes a group with its grants and memberships; Administrator and Tester cannot be deleted."},
	{Name: "Group.add_permission", Access: Perms, Perms: []string{"auth.change_group"}, Global: true, Returns: "nil",
		Doc: "Grants a label or a list of labels to the group. A non-superuser grants only labels it holds; only a superuser changes Administrator. Granting a held label is no error."},
	{Name: "Group.remove_permission", Access: Perms, Perms: []string{"auth.change_group"}, Global: true, Returns: "nil",
		Doc: "Takes a label or a list of labels from the group."},
	{Name: "Group.add_user", Access: Perms, Perms: []string{"auth.change_group"}, Global: true, Returns: "nil",
		Doc: "Adds users (an id or username, or a list) to the group; only a superuser adds to Administrator. Members stay members."},
	{Name: "Group.remove_user", Access: Perms, Perms: []string{"auth.change_group"}, Global: true, Returns: "nil",
		Doc: "Removes users (an id or username, or a list) from the group."},
}

// GroupIDArgs names one group.
type GroupIDArgs struct {
	GroupID int64 `json:"group_id"`
}

// Filter answers Group.filter.
func (g *Group) Filter(r *http.Request, args *QueryArgs, reply *[]store.Group) (err error) {
	*reply, err = g.s.store.FilterGroups(r.Context(), args.Query)
	return err
}

// Permissions answers Group.permissions.
func (g *Group) Permissions(r *http.Request, args *GroupIDArgs, reply *[]string) (err error) {
	*reply, err = g.s.store.GroupPermissions(r.Context(), args.GroupID)
	return err
}

// Users answers Group.users.
func (g *Group) Users(r *http.Request, args *GroupIDArgs, reply *[]store.GroupUser) (err error) {
	*reply, err = g.s.store.GroupUsers(r.Context(), args.GroupID)
	return err
}

// Create answers Group.create.
func (g *Group) Create(r *http.Request, args *ValuesArgs, reply *store.Group) error {
	name, _, err := values(args.Values).str("name")
	if err != nil {
		return err
	}
	*reply, err = g.s.store.CreateGroup(r.Context(), name)
	return err
}

// GroupUpdateArgs are the parameters of Group.update.
type GroupUpdateArgs struct {
	GroupID int64          `json:"group_id"`
	Values  map[string]any `json:"values"`
}

// Update answers Group.update.
func (g *Group) Update(r *http.Request, args *GroupUpdateArgs, reply *store.Group) error {
	name, _, err := values(args.Values).str("name")
	if err != nil {
		return err
	}
	*reply, err = g.s.store.RenameGroup(r.Context(), args.GroupID, name)
	return err
}

// Remove answers Group.remove.
func (g *Group) Remove(r *http.Request, args *GroupIDArgs, _ *any) error {
	return g.s.store.DeleteGroup(r.Context(), args.GroupID)
}

// GroupPermissionArgs are the parameters of Group.add_permission and
// Group.remove_permission.
type GroupPermissionArgs struct {
	GroupID     int64 `json:"group_id"`
	Permissions any   `json:"permissions"`
}

// AddPermission answers Group.add_permission.
func (g *Group) AddPermission(r *http.Request, args *GroupPermissionArgs, _ *any) error {
	return g.setPermissions(r, args, true)
}

// RemovePermission answers Group.remove_permission.
func (g *Group) RemovePermission(r *http.Request, args *GroupPermissionArgs, _ *any) error {
	return g.setPermissions(r, args, false)
}

func (g *Group) setPermissions(r *http.Request, args *GroupPermissionArgs, grant bool) error {
	ls, err := labels(args.Permissions)
	if err != nil {
		return err
	}
	return g.s.store.SetGroupPermissions(r.Context(), *caller(r), args.GroupID, ls, grant)
}

// GroupUserArgs are the parameters of Group.add_user and Group.remove_user.
type GroupUserArgs struct {
	GroupID int64 `json:"group_id"`
	Users   any   `json:"user_ids"`
}

// AddUser answers Group.add_user.
func (g *Group) AddUser(r *http.Request, args *GroupUserArgs, _ *any) error {
	return g.setMembers(r, args, true)
}

// RemoveUser answers Group.remove_user.
func (g *Group) RemoveUser(r *http.Request, args *GroupUserArgs, _ *any) error {
	return g.setMembers(r, args, false)
}

func (g *Group) setMembers(r *http.Request, args *GroupUserArgs, add bool) error {
	users, err := refs("user_ids", args.Users)
	if err != nil {
		return err
	}
	return g.s.store.SetGroupMembers(r.Context(), *caller(r), args.GroupID, users, add)
}
