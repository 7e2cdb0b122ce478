/* head */ # not a comment here
; c
LD #1 ; trailing
RET %A
