package dev.bertj.heads.translation;
