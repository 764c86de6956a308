package main

// Windows PCs without Go have no time zone database; embed it so
// Asia/Ho_Chi_Minh resolves.
import _ "time/tzdata"
