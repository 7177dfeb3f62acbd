/* The console socket of the OCI runtime command line (src/RunF.Runtime/Oci). */
#ifndef RUNF_CONSOLE_SOCKET_H
#define RUNF_CONSOLE_SOCKET_H

/* Connects to the unix socket at path and sends fd (SCM_RIGHTS). Returns 0 or -errno. */
int runf_send_console(const char *path, int fd);

#endif
