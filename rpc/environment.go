package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// Environment is the Environment namespace: named environments and their
// name/value properties.
type Environment struct{ s *Server }

var environmentMethods = []Method{
	{Name: "Environment.filter", Access: Perms, Perms: []string{"testruns.view_environment"}, Returns: "array",
		Doc: "Environments matching the query ({id, name, description}), by name then description; no query matches all. Filterable: id, name, description, environmentproperty, environmentproperty__name, environmentproperty__value."},
	{Name: "Environment.create", Access: Perms, Perms: []string{"testruns.add_environment"}, Returns: "struct",
		Doc: "Creates an environment from {name (required, unique), description} and returns {id, name, description}."},
	{Name: "Environment.properties", Access: Perms, Perms: []string{"testruns.view_environmentproperty"}, Returns: "array",
		Doc: "Environment properties matching the query ({id, environment, name, value}), by environment, name, value; no query matches all. Filterable: id, name, value, environment, environment_id, environment__name, environment__description."},
	{Name: "Environment.add_property", Access: Perms, Perms: []string{"testruns.add_environmentproperty"}, Returns: "struct",
		Doc: "Adds the property name=value to an environment and returns {id, name, value, environment}; an existing identical property is returned as it is."},
	{Name: "Environment.remove_property", Access: Perms, Perms: []string{"testruns.delete_environmentproperty"}, Returns: "nil",
		Doc: "Deletes every environment property the query matches ({} deletes all, as in Kiwi); the filterable keys of Environment.properties."},
}

// Filter answers Environment.filter.
func (e *Environment) Filter(r *http.Request, args *OptQueryArgs, reply *[]store.Environment) (err error) {
	*reply, err = e.s.store.FilterEnvironments(r.Context(), args.Query)
	return err
}

// Create answers Environment.create.
func (e *Environment) Create(r *http.Request, args *ValuesArgs, reply *store.Environment) error {
	f := newForm(args.Values)
	n := store.NewEnvironment{Name: f.text("name", true, 255), Description: f.text("description", false, 0)}
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = e.s.store.CreateEnvironment(r.Context(), n)
	return err
}

// Properties answers Environment.properties.
func (e *Environment) Properties(r *http.Request, args *OptQueryArgs, reply *[]store.EnvironmentProperty) (err error) {
	*reply, err = e.s.store.FilterEnvironmentProperties(r.Context(), args.Query)
	return err
}

// EnvironmentPropertyArgs are the parameters of Environment.add_property.
type EnvironmentPropertyArgs struct {
	EnvironmentID int64  `json:"environment_id"`
	Name          string `json:"name"`
	Value         string `json:"value"`
}

// AddProperty answers Environment.add_property.
func (e *Environment) AddProperty(r *http.Request, args *EnvironmentPropertyArgs, reply *store.EnvironmentProperty) error {
	if err := checkProperty(args.Name, args.Value); err != nil {
		return err
	}
	var err error
	*reply, err = e.s.store.AddEnvironmentProperty(r.Context(), args.EnvironmentID, args.Name, args.Value)
	return err
}

// RemoveProperty answers Environment.remove_property.
func (e *Environment) RemoveProperty(r *http.Request, args *QueryArgs, _ *any) error {
	if args.Query == nil {
		return invalidParams("query is required; {} matches every property")
	}
	return e.s.store.RemoveEnvironmentProperties(r.Context(), args.Query)
}
