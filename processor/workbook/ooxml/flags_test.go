package ooxml_test

// The -update flag of every test binary is internal/testkit's.
import _ "github.com/chiso-vn/chiso/internal/testkit"
