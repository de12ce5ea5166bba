package io.jpilot.k8s;
