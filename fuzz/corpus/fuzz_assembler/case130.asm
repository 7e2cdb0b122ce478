    ld #len
    sub #2
    tax

     ; matching 0102
     ;         '\x01\x02'
    ldh [x + 0]
    jneq #0x0102, nomatch
    ret #0

nomatch:
    ret #65535

