#!/bin/sh
# An external handler: runs once the app has started, through the charms.reactive CLI.
case "$1" in
  --test)
    if charms.reactive when app.started && charms.reactive when_not notify.done; then
      echo notify
      exit 0
    fi
    exit 1 ;;
  --invoke)
    charms.reactive set_flag --value "$2" notify.done ;;
esac
