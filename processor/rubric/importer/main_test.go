package importer_test

// The -update flag is the one of internal/testkit.
import _ "github.com/chiso-vn/chiso/internal/testkit"
