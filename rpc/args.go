package rpc

// The parameter types many methods share.

// ValuesArgs are the parameters of a create method.
type ValuesArgs struct {
	Values map[string]any `json:"values"`
}

// QueryArgs is the parameter of a filter method whose query is required.
type QueryArgs struct {
	Query map[string]any `json:"query"`
}

// OptQueryArgs is the parameter of a filter method whose query may be
// left out (everything).
type OptQueryArgs struct {
	Query map[string]any `json:"query" rpc:"optional"`
}

// requiredQuery refuses a null query where Kiwi's signature has no
// default (Kiwi answers with a TypeError, -32602).
func requiredQuery(q map[string]any) error {
	if q == nil {
		return invalidParams("query is required")
	}
	return nil
}
