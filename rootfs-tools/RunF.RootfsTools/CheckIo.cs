// A failed libc call in the rootfs tools becomes a RootfsException, which the caller prefixes
// with the layer and entry.
global using CheckIo = RunF.Interop.CheckIo<RunF.RootfsTools.RootfsException>;
