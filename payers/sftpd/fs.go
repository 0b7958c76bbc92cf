package sftpd

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"syscall"

	"github.com/pkg/sftp"
)

// runInProcess serves one SFTP session with pkg/sftp's RequestServer over the jailed root.
func (s *Server) runInProcess(in io.Reader, ch io.ReadWriteCloser) error {
	h := &rootHandlers{root: s.root, readOnly: s.readOnly}
	rs := sftp.NewRequestServer(struct {
		io.Reader
		io.Writer
		io.Closer
	}{in, ch, ch}, sftp.Handlers{FileGet: h, FilePut: h, FileCmd: h, FileList: h},
		sftp.WithStartDirectory("/"))
	err := rs.Serve()
	rs.Close()
	return err
}

// rootHandlers implements pkg/sftp's request handlers on an os.Root: every path is resolved
// inside the root and can not escape it through "..", absolute paths or symbolic links.
type rootHandlers struct {
	root     *os.Root
	readOnly func() bool
}

var (
	_ sftp.OpenFileWriter       = (*rootHandlers)(nil)
	_ sftp.PosixRenameFileCmder = (*rootHandlers)(nil)
	_ sftp.LstatFileLister      = (*rootHandlers)(nil)
	_ sftp.RealPathFileLister   = (*rootHandlers)(nil)
)

// rel turns a request path ("/a/b", always absolute after pkg/sftp cleaned it) into a path
// relative to the root.
func rel(p string) string {
	p = path.Clean("/" + p)
	if p == "/" {
		return "."
	}
	return p[1:]
}

func (h *rootHandlers) denyWrite() error {
	if h.readOnly() {
		// The SFTP status code must be "permission denied" (pkg/sftp maps os.ErrPermission
		// to a generic failure).
		return sftp.ErrSSHFxPermissionDenied
	}
	return nil
}

// Fileread opens a file for reading.
func (h *rootHandlers) Fileread(r *sftp.Request) (io.ReaderAt, error) {
	f, err := h.root.Open(rel(r.Filepath))
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil {
		f.Close()
		return nil, err
	} else if fi.IsDir() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: r.Filepath, Err: syscall.EISDIR}
	}
	return f, nil
}

func openFlags(r *sftp.Request, access int) int {
	pf := r.Pflags()
	flags := access
	if pf.Creat {
		flags |= os.O_CREATE
	}
	if pf.Trunc {
		flags |= os.O_TRUNC
	}
	if pf.Excl {
		flags |= os.O_EXCL
	}
	// Append is not mapped to O_APPEND: pkg/sftp writes with WriteAt at the offsets the
	// client sends, which O_APPEND forbids.
	return flags
}

// Filewrite opens a file for writing.
func (h *rootHandlers) Filewrite(r *sftp.Request) (io.WriterAt, error) {
	if err := h.denyWrite(); err != nil {
		return nil, err
	}
	return h.root.OpenFile(rel(r.Filepath), openFlags(r, os.O_WRONLY), 0o644)
}

// OpenFile opens a file for reading and writing.
func (h *rootHandlers) OpenFile(r *sftp.Request) (sftp.WriterAtReaderAt, error) {
	if err := h.denyWrite(); err != nil {
		return nil, err
	}
	return h.root.OpenFile(rel(r.Filepath), openFlags(r, os.O_RDWR), 0o644)
}

// Filecmd runs Setstat, Rename, Rmdir, Mkdir, Link, Symlink and Remove.
func (h *rootHandlers) Filecmd(r *sftp.Request) error {
	if err := h.denyWrite(); err != nil {
		return err
	}
	name := rel(r.Filepath)
	switch r.Method {
	case "Setstat":
		return h.setstat(name, r)
	case "Rename":
		return h.rename(name, rel(r.Target))
	case "Rmdir":
		fi, err := h.root.Lstat(name)
		if err != nil {
			return err
		}
		if !fi.IsDir() {
			return &fs.PathError{Op: "rmdir", Path: r.Filepath, Err: syscall.ENOTDIR}
		}
		return h.root.Remove(name)
	case "Mkdir":
		return h.root.Mkdir(name, 0o755)
	case "Remove":
		fi, err := h.root.Lstat(name)
		if err != nil {
			return err
		}
		if fi.IsDir() {
			return &fs.PathError{Op: "remove", Path: r.Filepath, Err: syscall.EISDIR}
		}
		return h.root.Remove(name)
	case "Link":
		return h.root.Link(name, rel(r.Target))
	default: // Symlink and anything new
		return sftp.ErrSSHFxOpUnsupported
	}
}

// PosixRename renames, replacing the target if it exists (posix-rename@openssh.com).
func (h *rootHandlers) PosixRename(r *sftp.Request) error {
	if err := h.denyWrite(); err != nil {
		return err
	}
	return h.root.Rename(rel(r.Filepath), rel(r.Target))
}

// rename is SFTP v3 rename: it fails when the target exists, as OpenSSH's does. Regular files
// are hard-linked then unlinked, which never replaces; directories are checked then renamed.
func (h *rootHandlers) rename(from, to string) error {
	err := h.root.Link(from, to)
	switch {
	case err == nil:
		return h.root.Remove(from)
	case errors.Is(err, fs.ErrExist):
		return err
	}
	if _, lerr := h.root.Lstat(to); lerr == nil {
		return &fs.PathError{Op: "rename", Path: to, Err: fs.ErrExist}
	}
	return h.root.Rename(from, to)
}

func (h *rootHandlers) setstat(name string, r *sftp.Request) error {
	flags := r.AttrFlags()
	attrs := r.Attributes()
	if flags.Size {
		f, err := h.root.OpenFile(name, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		err = f.Truncate(int64(attrs.Size))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	if flags.Permissions {
		if err := h.root.Chmod(name, attrs.FileMode().Perm()); err != nil {
			return err
		}
	}
	if flags.Acmodtime {
		if err := h.root.Chtimes(name, attrs.AccessTime(), attrs.ModTime()); err != nil {
			return err
		}
	}
	// Owner changes are ignored: the server runs as one local user.
	return nil
}

// Filelist serves List, Stat and Readlink.
func (h *rootHandlers) Filelist(r *sftp.Request) (sftp.ListerAt, error) {
	name := rel(r.Filepath)
	switch r.Method {
	case "List":
		f, err := h.root.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		infos, err := f.Readdir(-1)
		if err != nil {
			return nil, err
		}
		sort.Slice(infos, func(i, j int) bool { return infos[i].Name() < infos[j].Name() })
		return listerAt(infos), nil
	case "Stat":
		fi, err := h.root.Stat(name)
		if err != nil {
			return nil, err
		}
		return listerAt{fi}, nil
	default: // Readlink: symbolic links are not offered
		return nil, sftp.ErrSSHFxOpUnsupported
	}
}

// Lstat stats without following a final symbolic link.
func (h *rootHandlers) Lstat(r *sftp.Request) (sftp.ListerAt, error) {
	fi, err := h.root.Lstat(rel(r.Filepath))
	if err != nil {
		return nil, err
	}
	return listerAt{fi}, nil
}

// RealPath canonicalises p inside the jail: "/" is the root.
func (h *rootHandlers) RealPath(p string) (string, error) {
	if p == "" {
		return "/", nil
	}
	if !path.IsAbs(p) {
		p = "/" + p
	}
	return path.Clean(p), nil
}

type listerAt []os.FileInfo

func (l listerAt) ListAt(dst []os.FileInfo, offset int64) (int, error) {
	if offset < 0 {
		return 0, fmt.Errorf("negative offset %d", offset)
	}
	if offset >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(dst, l[offset:])
	if n < len(dst) {
		return n, io.EOF
	}
	return n, nil
}
