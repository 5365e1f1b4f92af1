package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// Build is the Build namespace: the builds of a product version.
type Build struct{ s *Server }

var buildMethods = []Method{
	{Name: "Build.filter", Access: Perms, Perms: []string{"management.view_build"}, Returns: "array",
		Doc: "Builds matching the query (everything when left out) as {id, name, version, version__value, is_active}, by version then id."},
	{Name: "Build.create", Access: Perms, Perms: []string{"management.add_build"}, Returns: "struct",
		Doc: "Creates a build from {name, version, is_active (true when absent)}, unique per version; returns {id, name, version, is_active}."},
	{Name: "Build.update", Access: Perms, Perms: []string{"management.change_build"}, Returns: "struct",
		Doc: "Sets the given fields of a build (name, version, is_active; absent ones are kept) and returns {id, name, version, is_active}."},
	{Name: "Build.remove", Access: Perms, Perms: []string{"management.delete_build"}, Returns: "array",
		Doc: "Deletes the builds a non-empty query matches and returns [total, {model: count}]; refused, naming it and what refers to it, while a test run, test execution or bug refers to one of them."},
}

// Filter answers Build.filter.
func (b *Build) Filter(r *http.Request, args *OptQueryArgs, reply *[]store.BuildRow) (err error) {
	*reply, err = b.s.store.FilterBuilds(r.Context(), args.Query)
	return err
}

// Create answers Build.create.
func (b *Build) Create(r *http.Request, args *ValuesArgs, reply *store.Build) error {
	f := newForm(args.Values)
	name := f.text("name", true, 255)
	version := f.id("version", true)
	active := f.boolean("is_active", true)
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = b.s.store.CreateBuild(r.Context(), store.NewBuild{Name: name, VersionID: *version, IsActive: active})
	return err
}

// BuildUpdateArgs are the parameters of Build.update.
type BuildUpdateArgs struct {
	BuildID int64          `json:"build_id"`
	Values  map[string]any `json:"values"`
}

// Update answers Build.update.
func (b *Build) Update(r *http.Request, args *BuildUpdateArgs, reply *store.Build) error {
	f := newForm(args.Values)
	p := store.BuildPatch{Name: patchText(f, "name", 255), VersionID: patchID(f, "version")}
	if f.has("is_active") {
		active := f.boolean("is_active", false)
		p.IsActive = &active
	}
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = b.s.store.UpdateBuild(r.Context(), args.BuildID, p)
	return err
}

// Remove answers Build.remove with [total, {model: count}].
func (b *Build) Remove(r *http.Request, args *QueryArgs, reply *[]any) error {
	return removeMatching(r, args, reply, b.s.store.RemoveBuilds)
}
