// fcgiapp.h only: fcgi_stdio.h would redefine FILE, printf and friends.
#include <fcgiapp.h>
