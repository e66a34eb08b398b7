package dev.bertj.heads.nsp;
