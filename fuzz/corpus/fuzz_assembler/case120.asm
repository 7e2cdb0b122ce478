    ld #40
    tax
    ; x points to start of UDP header
    ; load udp header + payload length
    ldh [x + 4]
    ; valid udp payload length must be > 12 + 9 (assuming a.b query)
    jlt #29, match

    txa
    add #8
    tax
    ; x points to start of DNS

    ; allow only flags:
    ;   4: checking_disabled
    ;   5: authenticated_data
    ;   6: zflag
    ldh [x + 2]        ; opcode = 0, rdcode = 0 etc
    and #0xff8f
    jne #0, match

    ldh [x + 4]        ; qdcount must be 1
    jneq #0x1, match
    ld [x + 6]         ; ancount and nscount must be 0
    jneq #0x0, match
    ldh [x + 10]       ; arcount must be 0 or 1
    jgt #0x1, match
    ret #0

match:
    ret #65535

