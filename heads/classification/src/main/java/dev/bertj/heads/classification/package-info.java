package dev.bertj.heads.classification;
