    ld #len
    sub #9
    tax

     ; matching deadbeefcafebabe00
     ;         '\xde\xad\xbe\xef\xca\xfe\xba\xbe\x00'
    ld [x + 0]
    jneq #0xdeadbeef, nomatch
    ld [x + 4]
    jneq #0xcafebabe, nomatch
    ldb [x + 8]
    jneq #0x00, nomatch
    ret #0

nomatch:
    ret #65535

