/* runf-init (init.c), embedded in the launcher: runf stays one file, and the launcher hands the
 * image to the container through a sealed memfd. */
    .section .rodata
    .balign 16
    .global runf_init_image
runf_init_image:
    .incbin "runf-init"
    .global runf_init_image_end
runf_init_image_end:
    .section .note.GNU-stack, "", @progbits
