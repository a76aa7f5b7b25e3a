package localfront

// The test function's path, for the external examples.
var FnBinary = func() string { return fnBinary }
