// WASI rights (a u64 bit set per descriptor) and the sets Wisp grants.
//
// Every descriptor carries base rights (what may be done with it) and
// inheriting rights (the most a descriptor opened through it may get).
// Preopened directories get every directory right as base and every right
// as inheriting; path_open refuses (NOTCAPABLE) a request beyond the
// directory's inheriting rights and then keeps only the rights that apply
// to what was opened (a file or a directory). Rights only shrink
// (fd_fdstat_set_rights). The VFS still decides what the filesystem allows:
// a write right on a ROFS file is refused at open with ROFS.

export const RIGHT_FD_DATASYNC: u64 = 1 << 0;
export const RIGHT_FD_READ: u64 = 1 << 1;
export const RIGHT_FD_SEEK: u64 = 1 << 2;
export const RIGHT_FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
export const RIGHT_FD_SYNC: u64 = 1 << 4;
export const RIGHT_FD_TELL: u64 = 1 << 5;
export const RIGHT_FD_WRITE: u64 = 1 << 6;
export const RIGHT_FD_ADVISE: u64 = 1 << 7;
export const RIGHT_FD_ALLOCATE: u64 = 1 << 8;
export const RIGHT_PATH_CREATE_DIRECTORY: u64 = 1 << 9;
export const RIGHT_PATH_CREATE_FILE: u64 = 1 << 10;
export const RIGHT_PATH_LINK_SOURCE: u64 = 1 << 11;
export const RIGHT_PATH_LINK_TARGET: u64 = 1 << 12;
export const RIGHT_PATH_OPEN: u64 = 1 << 13;
export const RIGHT_FD_READDIR: u64 = 1 << 14;
export const RIGHT_PATH_READLINK: u64 = 1 << 15;
export const RIGHT_PATH_RENAME_SOURCE: u64 = 1 << 16;
export const RIGHT_PATH_RENAME_TARGET: u64 = 1 << 17;
export const RIGHT_PATH_FILESTAT_GET: u64 = 1 << 18;
export const RIGHT_PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
export const RIGHT_PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
export const RIGHT_FD_FILESTAT_GET: u64 = 1 << 21;
export const RIGHT_FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
export const RIGHT_FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
export const RIGHT_PATH_SYMLINK: u64 = 1 << 24;
export const RIGHT_PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
export const RIGHT_PATH_UNLINK_FILE: u64 = 1 << 26;
export const RIGHT_POLL_FD_READWRITE: u64 = 1 << 27;
export const RIGHT_SOCK_SHUTDOWN: u64 = 1 << 28;
export const RIGHT_SOCK_ACCEPT: u64 = 1 << 29;

/** What applies to a regular file. */
export const RIGHTS_FILE: u64 =
  RIGHT_FD_DATASYNC | RIGHT_FD_READ | RIGHT_FD_SEEK | RIGHT_FD_FDSTAT_SET_FLAGS | RIGHT_FD_SYNC |
  RIGHT_FD_TELL | RIGHT_FD_WRITE | RIGHT_FD_ADVISE | RIGHT_FD_ALLOCATE | RIGHT_FD_FILESTAT_GET |
  RIGHT_FD_FILESTAT_SET_SIZE | RIGHT_FD_FILESTAT_SET_TIMES | RIGHT_POLL_FD_READWRITE;

/** What applies to a directory. */
export const RIGHTS_DIRECTORY: u64 =
  RIGHT_FD_DATASYNC | RIGHT_FD_FDSTAT_SET_FLAGS | RIGHT_FD_SYNC | RIGHT_FD_ADVISE |
  RIGHT_PATH_CREATE_DIRECTORY | RIGHT_PATH_CREATE_FILE | RIGHT_PATH_LINK_SOURCE | RIGHT_PATH_LINK_TARGET |
  RIGHT_PATH_OPEN | RIGHT_FD_READDIR | RIGHT_PATH_READLINK | RIGHT_PATH_RENAME_SOURCE |
  RIGHT_PATH_RENAME_TARGET | RIGHT_PATH_FILESTAT_GET | RIGHT_PATH_FILESTAT_SET_SIZE |
  RIGHT_PATH_FILESTAT_SET_TIMES | RIGHT_FD_FILESTAT_GET | RIGHT_FD_FILESTAT_SET_TIMES |
  RIGHT_PATH_SYMLINK | RIGHT_PATH_REMOVE_DIRECTORY | RIGHT_PATH_UNLINK_FILE | RIGHT_POLL_FD_READWRITE;

/** stdin: read, flags, stat, poll (no seek or tell, so libc's isatty says yes). */
export const RIGHTS_STDIN: u64 = RIGHT_FD_READ | RIGHT_FD_FDSTAT_SET_FLAGS | RIGHT_FD_FILESTAT_GET | RIGHT_POLL_FD_READWRITE;
/** stdout and stderr. */
export const RIGHTS_STDOUT: u64 = RIGHT_FD_WRITE | RIGHT_FD_FDSTAT_SET_FLAGS | RIGHT_FD_FILESTAT_GET | RIGHT_POLL_FD_READWRITE;

/** Rights that need the file opened for writing in the VFS. */
export const RIGHTS_NEEDING_WRITE: u64 = RIGHT_FD_WRITE | RIGHT_FD_ALLOCATE | RIGHT_FD_FILESTAT_SET_SIZE;
/** Rights that need the file opened for reading. */
export const RIGHTS_NEEDING_READ: u64 = RIGHT_FD_READ | RIGHT_FD_READDIR;

/** A connected socket: read, write, poll, shut down, flags, stat. */
export const RIGHTS_SOCKET: u64 =
  RIGHT_FD_READ | RIGHT_FD_WRITE | RIGHT_FD_FDSTAT_SET_FLAGS | RIGHT_FD_FILESTAT_GET | RIGHT_POLL_FD_READWRITE |
  RIGHT_SOCK_SHUTDOWN;

/** A listening socket: accept, poll (readable when a connection waits), flags, stat. */
export const RIGHTS_LISTENER: u64 = RIGHT_SOCK_ACCEPT | RIGHT_FD_FDSTAT_SET_FLAGS | RIGHT_FD_FILESTAT_GET | RIGHT_POLL_FD_READWRITE;
