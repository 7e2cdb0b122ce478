ldb [0]
jeq #1, t
jneq #2, t
jlt #3, t
jle %x, t
jgt x, t, f
jge #0b101, t, f
t: ret #0x10
f: ret #010
