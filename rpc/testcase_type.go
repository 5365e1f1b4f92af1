package rpc

// TestCase is the TestCase namespace. Its methods are declared in
// testCaseLinkMethods (rpc/testcase_links.go).
type TestCase struct{ s *Server }
